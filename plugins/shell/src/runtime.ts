/*
 * The shell plugin's working code, imported on the first call (dist/runtime.js): the approval
 * policy, the remembered answers, the environment, the process group runner and the audit.
 */
export { createShellTool, type ShellTool, type ShellToolOptions, type ShellResult } from "./shell-tool.js";
