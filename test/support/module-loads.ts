/*
 * Which modules a CLI process loads: a Node loader hook appends each URL to a file. Used to prove
 * that something heavy (zod's classic API, the MCP SDK) stays off a path.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Workspace } from "./aleph.js";

export interface ModuleRecorder {
  /** Environment for the process to record (NODE_OPTIONS importing the hook). */
  env: NodeJS.ProcessEnv;
  /** The URLs loaded so far. */
  loaded(): string[];
}

export function moduleRecorder(ws: Workspace): ModuleRecorder {
  const record = join(ws.base, "loaded.txt");
  writeFileSync(record, "");
  writeFileSync(join(ws.base, "recorder.mjs"), `import { appendFileSync } from "node:fs";\nexport async function load(url, context, next) { appendFileSync(${JSON.stringify(record)}, url + "\\n"); return next(url, context); }\n`);
  writeFileSync(join(ws.base, "register.mjs"), `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(join(ws.base, "recorder.mjs")).href)});\n`);
  return {
    env: { NODE_OPTIONS: `--import ${pathToFileURL(join(ws.base, "register.mjs")).href}` },
    loaded: () => readFileSync(record, "utf8").split("\n").filter(Boolean),
  };
}
