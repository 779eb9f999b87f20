import { createReadStream } from "node:fs";
import { readFile as readWhole, stat } from "node:fs/promises";
import { createInterface } from "node:readline";
import { AlephError, type ToolCallContext } from "@aleph/plugin-sdk";
import { isBinaryBuffer, isBinaryFile } from "../binary.js";
import type { FsToolsEnv } from "../tool-env.js";

/*
 * read_file: a text file, whole or a 1-based inclusive line range, at most max_read_bytes of it.
 * A file within the cap is read in one call (most are: one read instead of a sniff, a stream and
 * a line reader, ~3× faster for a 4 KB file); a larger one is streamed line by line, so a range deep
 * in a large file costs no more memory than the range itself.
 */

export interface ReadFileArgs {
  path: string;
  start_line?: number;
  end_line?: number;
}

export interface ReadFileResult {
  path: string;
  content: string;
  /** The lines returned (1-based, inclusive; to < from when none), and the file's count when it was read to the end. */
  lines: { from: number; to: number; total?: number };
  /** True when the cap cut the output short of what was asked. */
  truncated: boolean;
}

export async function readFile(env: FsToolsEnv, args: ReadFileArgs, context: ToolCallContext): Promise<ReadFileResult> {
  const start = args.start_line ?? 1;
  const end = args.end_line ?? Infinity;
  if (end < start) throw new AlephError("ALEPH_E_TOOL_ARGS", `end_line ${end} is before start_line ${start}`, { fix: "give end_line ≥ start_line, or leave it out to read to the end" });
  const guard = env.guardFor(context);
  const target = await guard.resolve(args.path);
  if (!target.exists) throw new AlephError("ALEPH_E_NOT_FOUND", `${target.display} does not exist`, { fix: "check the name with list_dir or glob" });
  const info = await stat(target.real);
  if (info.isDirectory()) throw new AlephError("ALEPH_E_TOOL_ARGS", `${target.display} is a folder, not a file`, { fix: "use list_dir to see what is in it" });
  if (!info.isFile()) throw new AlephError("ALEPH_E_TOOL_ARGS", `${target.display} is not a regular file`, { fix: "read_file reads regular text files only" });
  const binary = () => new AlephError("ALEPH_E_TOOL_ARGS", `${target.display} is a binary file (${info.size} bytes); read_file returns text only`, { fix: "read a text file, or use grep to check whether it contains some text" });
  const maxBytes = env.maxReadBytes();
  let whole: Buffer | undefined;
  if (info.size <= maxBytes) {
    whole = await readWhole(target.real);
    if (isBinaryBuffer(whole)) throw binary();
  } else if (await isBinaryFile(target.real)) {
    throw binary();
  }

  const kept: string[] = [];
  let bytes = 0;
  let lineNo = 0;
  let truncated = false;
  let reachedEnd = true;
  const stream = whole ? undefined : createReadStream(target.real, { encoding: "utf8" });
  const lines = stream ? createInterface({ input: stream, crlfDelay: Infinity }) : undefined;
  try {
    for await (const line of lines ?? linesOf(whole!.toString("utf8"))) {
      context.signal?.throwIfAborted();
      lineNo++;
      if (lineNo < start) continue;
      if (lineNo > end) {
        reachedEnd = false;
        break;
      }
      const size = Buffer.byteLength(line, "utf8") + 1;
      if (bytes + size > maxBytes) {
        truncated = true;
        reachedEnd = false;
        // A first line longer than the cap is cut, so the model sees something of it.
        if (kept.length === 0) kept.push(cutToBytes(line, maxBytes));
        break;
      }
      kept.push(line);
      bytes += size;
    }
  } finally {
    lines?.close();
    stream?.destroy();
  }

  const total = reachedEnd ? lineNo : undefined;
  if (total !== undefined && start > Math.max(total, 1)) {
    throw new AlephError("ALEPH_E_TOOL_ARGS", `start_line ${start} is past the end of ${target.display} (${total} lines)`, { fix: `give a start_line from 1 to ${total}` });
  }
  const to = start + kept.length - 1;
  let content = kept.join("\n");
  if (truncated) {
    content += `\n[… cut: read_file returns at most ${maxBytes} bytes ([tools.fs] max_read_bytes); lines ${start}–${to} shown; read on with start_line = ${to + 1}]`;
  }
  return { path: target.display, content, lines: { from: start, to, ...(total !== undefined ? { total } : {}) }, truncated };
}

/** The lines of a text as readline gives them: split at \n, \r\n or \r, no empty line after a final break. */
function linesOf(text: string): string[] {
  if (text === "") return [];
  const lines = text.split(/\r\n|\r|\n/);
  if (/[\r\n]$/.test(text)) lines.pop();
  return lines;
}

/** The longest prefix of `text` that fits in `maxBytes` of UTF-8, never splitting a character. */
function cutToBytes(text: string, maxBytes: number): string {
  const buffer = Buffer.from(text, "utf8");
  if (buffer.length <= maxBytes) return text;
  let end = maxBytes;
  // Step back over continuation bytes (10xxxxxx) to a character's first byte.
  while (end > 0 && (buffer[end]! & 0xc0) === 0x80) end--;
  return buffer.subarray(0, end).toString("utf8");
}
