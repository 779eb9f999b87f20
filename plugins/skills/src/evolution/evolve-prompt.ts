import { AlephError, type ModelRequest } from "@aleph/plugin-sdk";
import { DESCRIPTION_MAX } from "../format/parse-skill.js";
import { fenceFor, fencedBlocks } from "./markdown-fence.js";

/*
 * The conversation that asks a model for a better SKILL.md, and reading the file back out of its
 * answer. What failed is shown as the turns' errors and transcripts, bounded: a few recent failures
 * say what goes wrong as well as many, and a long transcript mostly repeats itself (its start holds
 * the task, its end where it broke: both are kept, the middle is cut).
 */

export interface EvolveFailure {
  /** The turn's error message (null when it was not recorded). */
  error: string | null;
  /** The turn as text (the session's messages of that turn). */
  transcript: string;
}

export interface EvolvePromptInput {
  skillName: string;
  skillFile: string;
  /** The SKILL.md as it is now, whole. */
  currentText: string;
  /** Most recent first: only the first MAX_FAILURES are shown. */
  failures: EvolveFailure[];
}

export const MAX_FAILURES = 5;
export const MAX_TRANSCRIPT_CHARS = 4_000;
export const MAX_FAILURE_ERROR_CHARS = 600;
/** Errors and transcripts together. */
export const MAX_FAILURES_TOTAL_CHARS = 24_000;
/** A complete SKILL.md of the advised 500 lines fits; DEFAULT_MAX_TOKENS (4096) may not. */
export const EVOLVE_MAX_TOKENS = 8_192;

/** Room kept for the cut marker, so a cut text stays within its bound. */
const MARKER_ROOM = 48;

/** `text` within `max` characters: a quarter from its start, the rest from its end, and a marker saying how much is gone. */
export function cutMiddle(text: string, max: number): string {
  if (text.length <= max) return text;
  const keep = Math.max(0, max - MARKER_ROOM);
  const head = Math.floor(keep / 4);
  const tail = keep - head;
  return `${text.slice(0, head)}\n[… ${text.length - keep} characters cut …]\n${tail > 0 ? text.slice(-tail) : ""}`;
}

/** The failures as the prompt shows them: at most MAX_FAILURES, each part and all together bounded. */
export function boundFailures(failures: readonly EvolveFailure[]): EvolveFailure[] {
  const shown = failures.slice(0, MAX_FAILURES).map((f) => ({ error: f.error === null ? null : cutMiddle(f.error, MAX_FAILURE_ERROR_CHARS), transcript: f.transcript }));
  if (shown.length === 0) return [];
  const errorChars = shown.reduce((sum, f) => sum + (f.error?.length ?? 0), 0);
  const each = Math.min(MAX_TRANSCRIPT_CHARS, Math.floor((MAX_FAILURES_TOTAL_CHARS - errorChars) / shown.length));
  return shown.map((f) => ({ error: f.error, transcript: cutMiddle(f.transcript, each) }));
}

const SYSTEM = `You maintain Agent Skills: folders whose SKILL.md teaches an AI agent how to do one task. A SKILL.md starts with YAML front-matter between two lines "---" (name: and description: required; license, compatibility, metadata, allowed-tools, requires, user-invocable optional), then Markdown instructions the agent follows once it loads the skill.

You are given a skill and turns in which an agent that used it failed. Rewrite the SKILL.md so an agent following it avoids those failures.

Rules:
- Return the complete file, not a diff or an excerpt.
- Keep the front-matter valid YAML, first in the file. Keep "name:" exactly as it is. Keep the other fields unless one of them caused a failure.
- The description says what the skill does and when to use it, in at most ${DESCRIPTION_MAX} characters.
- Fix the causes the failures show (wrong commands, missing steps, unstated preconditions, unclear order), in general terms: the next task will not be the same as these.
- Keep what works. Stay under 500 lines. Refer only to files the current SKILL.md already refers to: you cannot add files to the folder.
- Never copy secrets, personal data or one-off values from the transcripts into the file.

Answer with the whole new SKILL.md in one fenced block opened by a line \`\`\`\`markdown and closed by a line \`\`\`\` (four backticks, so the file's own code blocks stay intact). Outside the block, at most one short paragraph on what you changed.`;

/** The request asking for an improved SKILL.md: a system prompt and one user message. */
export function evolvePrompt(input: EvolvePromptInput): ModelRequest {
  const failures = boundFailures(input.failures);
  const current = fenceFor(input.currentText);
  const parts = [
    `Skill "${input.skillName}" (${input.skillFile}). Its SKILL.md now:`,
    `${current}markdown\n${input.currentText.replace(/\s+$/, "")}\n${current}`,
    failures.length === 0
      ? "No failing turn was recorded in detail: improve what is unclear or missing."
      : `It failed in ${input.failures.length === failures.length ? "" : `these ${failures.length} of `}${input.failures.length} recent turn${input.failures.length === 1 ? "" : "s"}:`,
    ...failures.map((f, i) => {
      const fence = fenceFor(f.transcript);
      const transcript = f.transcript.trim() === "" ? "(no transcript was found)" : `${fence}text\n${f.transcript}\n${fence}`;
      return `## Failure ${i + 1}\nError: ${f.error ?? "(not recorded)"}\nTranscript:\n${transcript}`;
    }),
    `Write the improved SKILL.md, keeping name: ${input.skillName}.`,
  ];
  return { system: SYSTEM, messages: [{ role: "user", content: parts.join("\n\n") }], maxTokens: EVOLVE_MAX_TOKENS };
}

const FRONT_MATTER_START = /^(?:[ \t]*\r?\n)*---[ \t]*\r?\n/;

/** Blank lines before the front-matter go (it must be first); the file ends with one newline. */
const tidy = (text: string) => `${text.replace(/^(?:[ \t]*\r?\n)+/, "").replace(/\s+$/, "")}\n`;

/**
 * The SKILL.md in a model's answer: the fenced block (```markdown, ```md or bare) that holds one,
 * else the answer itself when it is one, else a block labelled markdown whatever it holds (the
 * check that follows then says what is wrong with it). ALEPH_E_PROVIDER_RESPONSE when there is none.
 */
export function extractSkillText(reply: string): string {
  const text = reply.replace(/^\uFEFF/, "");
  const blocks = fencedBlocks(text, ["markdown", "md", ""]);
  const skill = blocks.find((b) => FRONT_MATTER_START.test(b.content));
  if (skill) return tidy(skill.content);
  if (FRONT_MATTER_START.test(text)) return tidy(text);
  const labelled = blocks.find((b) => b.info !== "");
  if (labelled) return tidy(labelled.content);
  throw new AlephError("ALEPH_E_PROVIDER_RESPONSE", "the model's answer holds no SKILL.md: no ```markdown block, and it does not start with a front-matter line ---", {
    fix: "ask again; if it keeps happening, use a model that follows formatting instructions better",
  });
}
