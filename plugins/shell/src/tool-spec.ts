import type { ToolDefinition } from "@aleph/plugin-sdk";

/*
 * The shell tool as the model sees it: name, description, argument schema. Data only, in the
 * entry; the handler is in dist/runtime.js, loaded on the first call.
 */

/** The arguments, as validated by the tools registry against `parameters`. */
export interface ShellArgs {
  command: string;
  timeout_seconds?: number;
  cwd?: string;
}

export const SHELL_TOOL_SPEC: Omit<ToolDefinition, "handler"> = {
  name: "shell",
  description:
    "Run a command line with /bin/sh -c in your workspace (or a folder inside it) and get {exit_code, signal?, timed_out, stdout, stderr, truncated}. " +
    "stdin is closed (nothing can prompt); the environment is minimal (PATH, HOME, locale…); the command and everything it started are stopped at the timeout. " +
    "Long output keeps its beginning and end with a note of what was cut: redirect to a file to keep it all. " +
    "A command may need a person's approval first; when it is denied you get an error saying why — do not retry the same command.",
  parameters: {
    type: "object",
    properties: {
      command: { type: "string", minLength: 1, description: "the command line, e.g. \"ls -la\" or \"npm test\"" },
      timeout_seconds: { type: "number", exclusiveMinimum: 0, description: "stop the command after this many seconds (default and maximum: the configured timeout, 60 s unless changed)" },
      cwd: { type: "string", description: "the folder to start in, relative to your workspace (default: the workspace); it must be inside it" },
    },
    required: ["command"],
    additionalProperties: false,
  },
};
