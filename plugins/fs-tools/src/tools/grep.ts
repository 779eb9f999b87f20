import { createReadStream } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import { basename } from "node:path";
import { createInterface } from "node:readline";
import { AlephError, type ToolCallContext } from "@aleph/plugin-sdk";
import { isBinaryFile } from "../binary.js";
import { compileGlob } from "../glob/glob.js";
import { GREP_MAX_FILE_BYTES, GREP_MAX_LINE_CHARS, GREP_MAX_MATCHES } from "../limits.js";
import type { PathGuard } from "../paths/guard.js";
import type { FsToolsEnv } from "../tool-env.js";
import { walk } from "../walk.js";

/*
 * grep: lines matching a JavaScript regular expression, as "file:line:text", in a file or under a
 * folder (default the workspace). Binary files, files over 4 MB, node_modules and .git are skipped;
 * a link to a file is searched only when it leads inside the allowed folders, a link to a folder never.
 */

export interface GrepArgs {
  pattern: string;
  path?: string;
  /** Only files matching this glob; one without "/" is matched against the file's name ("*.ts"). */
  glob?: string;
  ignore_case?: boolean;
}

export interface GrepResult {
  matches: string[];
  files_searched: number;
  /** Files left out: binary, too large, unreadable, or links leading outside. */
  files_skipped: number;
  truncated: boolean;
}

export async function grep(env: FsToolsEnv, args: GrepArgs, context: ToolCallContext): Promise<GrepResult> {
  const regex = compileRegExp(args.pattern, args.ignore_case === true);
  const fileFilter = args.glob === undefined ? undefined : globFilter(args.glob);
  const guard = env.guardFor(context);
  const base = await guard.resolve(args.path ?? ".");
  if (!base.exists) throw new AlephError("ALEPH_E_NOT_FOUND", `${base.display} does not exist`, { fix: "give an existing file or folder as path" });

  const result: GrepResult = { matches: [], files_searched: 0, files_skipped: 0, truncated: false };
  const prefix = base.display === "." ? "" : `${base.display}/`;
  const search = async (file: string, shown: string) => {
    if (!(await searchable(file))) {
      result.files_skipped++;
      return;
    }
    result.files_searched++;
    await grepFile(file, shown, regex, result, context.signal);
  };

  if (!(await stat(base.real)).isDirectory()) {
    await search(base.real, base.display);
    return result;
  }
  for await (const entry of walk(base.real, { signal: context.signal, onLimit: () => (result.truncated = true) })) {
    if (result.truncated) break;
    if (entry.type !== "file" && entry.type !== "link") continue;
    if (fileFilter && !fileFilter(entry.rel)) continue;
    const file = entry.type === "link" ? await linkedFile(entry.abs, guard) : entry.abs;
    if (file === undefined) {
      if (entry.type === "link") result.files_skipped++;
      continue;
    }
    await search(file, prefix + entry.rel);
  }
  return result;
}

function compileRegExp(pattern: string, ignoreCase: boolean): RegExp {
  try {
    // No "g" or "y": test() then keeps no state between lines.
    return new RegExp(pattern, ignoreCase ? "i" : "");
  } catch (error) {
    throw new AlephError("ALEPH_E_TOOL_ARGS", `the pattern ${JSON.stringify(pattern)} is not a valid JavaScript regular expression: ${(error as Error).message}`, {
      fix: "escape special characters (\\. \\( \\[ …) or fix the expression",
    });
  }
}

function globFilter(glob: string): (rel: string) => boolean {
  const matcher = compileGlob(glob);
  return glob.includes("/") ? (rel) => matcher.test(rel) : (rel) => matcher.test(basename(rel));
}

/** Where a link leads when that is a file inside the allowed folders; undefined otherwise. */
async function linkedFile(link: string, guard: PathGuard): Promise<string | undefined> {
  const real = await realpath(link).catch(() => undefined);
  if (real === undefined || !(await guard.allows(real))) return undefined;
  return (await stat(real)).isFile() ? real : undefined;
}

async function searchable(file: string): Promise<boolean> {
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile() || info.size > GREP_MAX_FILE_BYTES) return false;
  // An unreadable file is skipped like a binary one.
  return isBinaryFile(file).then((binary) => !binary, () => false);
}

async function grepFile(file: string, shown: string, regex: RegExp, result: GrepResult, signal: AbortSignal | undefined): Promise<void> {
  const stream = createReadStream(file, { encoding: "utf8" });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let lineNo = 0;
  try {
    for await (const line of lines) {
      lineNo++;
      if (!regex.test(line)) continue;
      signal?.throwIfAborted();
      if (result.matches.length === GREP_MAX_MATCHES) {
        result.truncated = true;
        return;
      }
      const text = line.length > GREP_MAX_LINE_CHARS ? `${line.slice(0, GREP_MAX_LINE_CHARS)}…` : line;
      result.matches.push(`${shown}:${lineNo}:${text}`);
    }
  } finally {
    lines.close();
    stream.destroy();
  }
}
