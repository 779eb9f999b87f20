import { AlephError } from "@aleph/plugin-sdk/core";
import { parseTomlText } from "@aleph/kernel/light";

/*
 * Edits `[extensions] disabled` in config.toml, a file the user writes: the one key is rewritten
 * (or added under [extensions], or an [extensions] table appended) and every other byte stays.
 * It works on lines; the result is parsed again and must hold exactly the intended list, else
 * nothing is written and the user is told to edit the file by hand.
 */

const TABLE_HEADER = /^\s*\[/;
const EXTENSIONS_HEADER = /^\s*\[\s*extensions\s*\]\s*(#.*)?$/;
const DISABLED_KEY = /^(\s*)disabled\s*=/;

function disabledOf(text: string, file: string): string[] {
  let parsed: { extensions?: { disabled?: unknown } };
  try {
    parsed = parseTomlText(text) as typeof parsed;
  } catch (error) {
    throw new AlephError("ALEPH_E_CONFIG", `${file} is not valid TOML: ${(error as Error).message.split("\n")[0]}`, {
      file,
      fix: "correct the file first (`aleph config check` says where), then run the command again",
    });
  }
  const list = parsed.extensions?.disabled ?? [];
  if (!Array.isArray(list) || list.some((id) => typeof id !== "string")) {
    throw new AlephError("ALEPH_E_CONFIG", `[extensions] disabled in ${file} is not a list of plugin ids`, { file, fix: 'write it as disabled = ["id", …]' });
  }
  return list as string[];
}

const render = (ids: string[]) => `disabled = [${ids.map((id) => JSON.stringify(id)).join(", ")}]`;

/** The text with `[extensions] disabled` set to `ids`. */
function withDisabled(text: string, ids: string[]): string {
  const lines = text.split("\n");
  const header = lines.findIndex((line) => EXTENSIONS_HEADER.test(line));
  if (header < 0) {
    const base = text.length === 0 || text.endsWith("\n") ? text : `${text}\n`;
    return `${base}\n[extensions]\n${render(ids)}\n`;
  }
  let end = header + 1;
  while (end < lines.length && !TABLE_HEADER.test(lines[end]!)) end++;
  for (let i = header + 1; i < end; i++) {
    const key = DISABLED_KEY.exec(lines[i]!);
    if (!key) continue;
    // The array may span lines: it ends on the first line holding "]" (ids never contain one).
    let last = i;
    while (last < end && !lines[last]!.includes("]")) last++;
    const comment = /\]\s*(#.*)$/.exec(lines[last] ?? "")?.[1];
    lines.splice(i, last - i + 1, `${key[1]}${render(ids)}${comment ? ` ${comment}` : ""}`);
    return lines.join("\n");
  }
  lines.splice(header + 1, 0, render(ids));
  return lines.join("\n");
}

/**
 * Adds (`disable`) or removes (`enable`) a plugin id in `[extensions] disabled`. Returns the new
 * text, or undefined when the list already says so.
 */
export function editDisabled(text: string, file: string, id: string, action: "enable" | "disable"): string | undefined {
  const current = disabledOf(text, file);
  const has = current.includes(id);
  if ((action === "disable") === has) return undefined;
  const next = action === "disable" ? [...current, id] : current.filter((x) => x !== id);
  const edited = withDisabled(text, next);
  let check: string[] | undefined;
  try {
    check = disabledOf(edited, file);
  } catch {
    check = undefined;
  }
  if (!check || check.length !== next.length || check.some((x, i) => x !== next[i])) {
    throw new AlephError("ALEPH_E_CONFIG", `could not edit [extensions] disabled in ${file} safely (it is written in a form this command does not rewrite)`, {
      file,
      fix: `edit the file by hand: ${render(next)} under [extensions]`,
    });
  }
  return edited;
}
