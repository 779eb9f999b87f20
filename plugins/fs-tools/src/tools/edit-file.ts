import { readFile, stat } from "node:fs/promises";
import { AlephError, type ToolCallContext } from "@aleph/plugin-sdk";
import { isBinaryBuffer } from "../binary.js";
import { errorText } from "../error-text.js";
import { EDIT_MAX_FILE_BYTES } from "../limits.js";
import { callerAgent, type FsToolsEnv } from "../tool-env.js";
import { writeGuarded } from "./write-target.js";

/*
 * edit_file: replaces one exact occurrence of old_text with new_text. Exactly one: with none the
 * model is shown the lines that look like where it meant (so it can re-read and retry), with
 * several it is told every line they start on (so it can add context to make old_text unique).
 */

export interface EditFileArgs {
  path: string;
  old_text: string;
  new_text: string;
}

/** Candidate lines shown when old_text is not found. */
const MAX_CANDIDATES = 5;
const MAX_CANDIDATE_CHARS = 200;

export async function editFile(env: FsToolsEnv, args: EditFileArgs, context: ToolCallContext): Promise<{ path: string; line: number; bytes: number }> {
  const who = { tool: "edit_file" as const, agent: callerAgent(context), session: context.sessionKey };
  let path = args.path;
  try {
    const target = await env.guardFor(context).resolve(args.path);
    path = target.real;
    if (!target.exists) throw new AlephError("ALEPH_E_NOT_FOUND", `${target.display} does not exist`, { fix: "create it with write_file" });
    const info = await stat(target.real);
    if (!info.isFile()) throw new AlephError("ALEPH_E_TOOL_ARGS", `${target.display} is not a regular file`, { fix: "edit_file edits text files" });
    if (info.size > EDIT_MAX_FILE_BYTES) {
      throw new AlephError("ALEPH_E_LIMIT", `${target.display} is ${info.size} bytes; edit_file edits files up to ${EDIT_MAX_FILE_BYTES} bytes`, { fix: "edit it another way" });
    }
    if (args.old_text === "") throw new AlephError("ALEPH_E_TOOL_ARGS", "old_text is empty", { fix: "give the exact text to replace (use write_file to write a whole file)" });
    const raw = await readFile(target.real);
    if (isBinaryBuffer(raw)) throw new AlephError("ALEPH_E_TOOL_ARGS", `${target.display} is a binary file`, { fix: "edit_file edits text files" });
    const text = raw.toString("utf8");

    const at = occurrences(text, args.old_text);
    if (at.length === 0) throw notFound(target.display, text, args.old_text);
    if (at.length > 1) {
      const lines = at.map((offset) => lineOf(text, offset));
      throw new AlephError("ALEPH_E_CONFLICT", `old_text occurs ${at.length} times in ${target.display}, starting on lines ${lines.join(", ")}; it must occur exactly once`, {
        fix: "include more of the surrounding text in old_text so it matches one place only",
      });
    }
    // Sliced, not String.replace: new_text is literal ("$&" in it stays "$&").
    const next = text.slice(0, at[0]) + args.new_text + text.slice(at[0]! + args.old_text.length);
    const bytes = await writeGuarded(target, next);
    env.audit({ ...who, path, bytes, ok: true });
    return { path: target.display, line: lineOf(text, at[0]!), bytes };
  } catch (error) {
    env.audit({ ...who, path, ok: false, error: errorText(error) });
    throw error;
  }
}

/** Offsets where `needle` starts in `text`, overlapping ones included ("aa" in "aaa" is twice: ambiguous). */
export function occurrences(text: string, needle: string): number[] {
  const out: number[] = [];
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + 1)) out.push(i);
  return out;
}

/** The 1-based line an offset is on. */
export function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) line++;
  return line;
}

function notFound(display: string, text: string, oldText: string): AlephError {
  const probe = oldText.split("\n").map((l) => l.trim()).find((l) => l !== "");
  const candidates: string[] = [];
  if (probe !== undefined) {
    text.split("\n").forEach((line, index) => {
      if (candidates.length < MAX_CANDIDATES && line.includes(probe)) {
        const shown = line.length > MAX_CANDIDATE_CHARS ? `${line.slice(0, MAX_CANDIDATE_CHARS)}…` : line;
        candidates.push(`  line ${index + 1}: ${shown.replace(/\r$/, "")}`);
      }
    });
  }
  const crlf = text.includes("\r\n") && !oldText.includes("\r\n") && oldText.includes("\n") ? " The file's lines end with CRLF (\\r\\n)." : "";
  const near =
    candidates.length > 0
      ? ` Lines containing its first line (${JSON.stringify(probe)}):\n${candidates.join("\n")}`
      : " No line contains its first line either.";
  return new AlephError("ALEPH_E_NOT_FOUND", `old_text was not found in ${display}.${crlf}${near}`, {
    fix: "read_file the lines around the change and copy old_text exactly, whitespace included",
  });
}
