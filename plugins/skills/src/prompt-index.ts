/*
 * The skills index of the system prompt: an <available_skills> block (the Agent Skills integration
 * guidance) listing each skill's name, description and SKILL.md, under one line saying how to load
 * them. The system prompt must stay byte-identical while nothing changed (the provider's prompt
 * cache keys on it), so the order is the names' code units (localeCompare depends on the ICU
 * build) and nothing in it is a time. Over budget it shrinks in steps a model can still use: first
 * the descriptions go, then skills from the end of the list, with a count of how many are missing.
 */

export interface IndexedSkill {
  name: string;
  description: string;
  /** Its SKILL.md: where the model can see it comes from. */
  file: string;
}

const INSTRUCTION = "Skills hold instructions for specific tasks. When one fits the task, load it with skill_read {name} before acting; read its files with skill_read {name, file}.";
const OPEN = "<available_skills>\n";
const CLOSE = "</available_skills>";

/** A value safe in an element: a description cannot close it, open another, or pass for markup. */
function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}

function entry(skill: IndexedSkill, withDescription: boolean): string {
  // A folded YAML description keeps its line breaks; one line per element reads better and weighs less.
  const description = withDescription ? `<description>${escapeXml(skill.description.replace(/\s+/g, " ").trim())}</description>\n` : "";
  return `<skill>\n<name>${escapeXml(skill.name)}</name>\n${description}<location>${escapeXml(skill.file)}</location>\n</skill>\n`;
}

function notListed(count: number, more: boolean): string {
  return `<!-- ${count} ${more ? "more " : ""}skill${count === 1 ? "" : "s"} not listed: ask for them by name with skill_read -->`;
}

const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The index of `skills` in at most `maxChars` characters (UTF-16 code units); "" when there are none or nothing fits. */
export function promptIndex(skills: readonly IndexedSkill[], maxChars: number): string {
  if (skills.length === 0) return "";
  const sorted = [...skills].sort((a, b) => byCodeUnits(a.name, b.name) || byCodeUnits(a.file, b.file));
  const head = `${INSTRUCTION}\n${OPEN}`;

  const full = head + sorted.map((s) => entry(s, true)).join("") + CLOSE;
  if (full.length <= maxChars) return full;

  const short = sorted.map((s) => entry(s, false));
  const compact = head + short.join("") + CLOSE;
  if (compact.length <= maxChars) return compact;

  // As many as fit in name order, leaving room for the count of the rest (which shrinks as more fit).
  let length = head.length + CLOSE.length + 1;
  let kept = 0;
  while (kept < short.length && length + short[kept]!.length + notListed(short.length - kept - 1, true).length <= maxChars) {
    length += short[kept]!.length;
    kept++;
  }
  if (kept > 0) return `${head}${short.slice(0, kept).join("")}${CLOSE}\n${notListed(short.length - kept, true)}`;

  // Not one skill fits: say there are some, with the instruction if there is room for it.
  const bare = `${INSTRUCTION}\n${notListed(skills.length, false)}`;
  if (bare.length <= maxChars) return bare;
  const count = notListed(skills.length, false);
  return count.length <= maxChars ? count : "";
}
