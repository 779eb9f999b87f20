/*
 * The fs-tools plugin's working code, imported on the first tool call (dist/runtime.js): the path
 * guard, the glob matcher, the walk and the six tools.
 */
import type { ToolCallContext } from "@aleph/plugin-sdk";
import type { FsToolName } from "./tool-specs.js";
import type { FsToolsEnv } from "./tool-env.js";
import { editFile } from "./tools/edit-file.js";
import { globFiles } from "./tools/glob-files.js";
import { grep } from "./tools/grep.js";
import { listDir } from "./tools/list-dir.js";
import { readFile } from "./tools/read-file.js";
import { writeFile } from "./tools/write-file.js";

export { createFsToolsEnv, type FsToolsEnv, type FsToolsEnvOptions } from "./tool-env.js";
export { PathGuard } from "./paths/guard.js";

type Handler = (env: FsToolsEnv, args: any, context: ToolCallContext) => Promise<unknown>;

/** Each tool's handler, by name. Arguments arrive validated against the tool's schema. */
export const FS_TOOL_HANDLERS: Record<FsToolName, Handler> = {
  read_file: readFile,
  write_file: writeFile,
  edit_file: editFile,
  list_dir: listDir,
  glob: globFiles,
  grep,
};
