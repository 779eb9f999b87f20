import { AlephError, errorMessage, isAlephError, type ModelCallOptions, type ModelRequest, type ModelResponse, type ProvidersService, type SkillMetrics } from "@aleph/plugin-sdk";
import { parseSkill } from "../format/parse-skill.js";
import { evolvePrompt, extractSkillText, type EvolvePromptInput } from "./evolve-prompt.js";

export { evolvePrompt, extractSkillText, type EvolveFailure, type EvolvePromptInput } from "./evolve-prompt.js";

/*
 * Deciding that a skill fares badly enough to be rewritten, and getting the rewrite: one model
 * call, the answer checked as any SKILL.md is (parseSkill), one more call with what was wrong when
 * it does not pass. A rewrite is only ever a suggestion: nothing here writes the file.
 */

export interface EvolutionThresholds {
  /** `[skills] evolve_failure_rate`: failed over finished uses must be above this. */
  failureRate: number;
  /** `[skills] evolve_min_uses`: finished uses needed before the rate counts. */
  minUses: number;
}

const percent = (x: number) => `${Math.round(x * 100)}%`;
/** Percentages that round to the same whole number would read "30% > 30%": one decimal then. */
function percents(rate: number, limit: number): [string, string] {
  if (percent(rate) !== percent(limit) || rate === limit) return [percent(rate), percent(limit)];
  return [`${(rate * 100).toFixed(1)}%`, `${(limit * 100).toFixed(1)}%`];
}

/**
 * Whether a skill is due for `evolve`: its failed uses over its finished ones (completed + failed:
 * cancelled uses are the user's choice, not the skill's failure) above `failureRate`, once at least
 * `minUses` uses finished. The reason says which, with the numbers.
 */
export function evolutionDue(metrics: SkillMetrics, thresholds: EvolutionThresholds): { due: boolean; reason: string } {
  const finished = metrics.completed + metrics.failed;
  const aside = metrics.cancelled > 0 ? `; ${metrics.cancelled} cancelled use${metrics.cancelled === 1 ? "" : "s"} not counted` : "";
  if (finished < thresholds.minUses) {
    return { due: false, reason: `${finished} finished use${finished === 1 ? "" : "s"} of ${metrics.name} (completed or failed): ${thresholds.minUses} needed before its failure rate counts${aside}` };
  }
  const rate = metrics.failed / finished;
  const due = rate > thresholds.failureRate;
  const [shown, limit] = percents(rate, thresholds.failureRate);
  return { due, reason: `${metrics.failed} of ${finished} finished uses failed (${shown} ${due ? ">" : "≤"} ${limit})${aside}` };
}

export interface ProposeEvolutionInput extends EvolvePromptInput {
  providers: Pick<ProvidersService, "complete">;
  /** The skill folder's name: a SKILL.md's name must equal it. */
  folder: string;
  signal?: AbortSignal;
  /** Which providers to ask (default: the agent's). */
  call?: Omit<ModelCallOptions, "signal">;
}

/** Calls made at most: the first answer and one correction. */
export const EVOLVE_ATTEMPTS = 2;

/**
 * An improved SKILL.md for the skill, checked: a valid skill file under the same name, and not the
 * current one unchanged. A first answer that fails the check is sent back with what is wrong; a
 * second is an ALEPH_E_PROVIDER_RESPONSE error naming the problems. Provider failures pass through.
 */
export async function proposeEvolution(input: ProposeEvolutionInput): Promise<string> {
  let request: ModelRequest = evolvePrompt(input);
  let problems: string[] = [];
  let answered: ModelResponse | undefined;
  for (let attempt = 1; attempt <= EVOLVE_ATTEMPTS; attempt++) {
    if (input.signal?.aborted) throw new AlephError("ALEPH_E_CANCELLED", `evolving skill "${input.skillName}" was cancelled`);
    answered = await input.providers.complete(request, { ...input.call, ...(input.signal ? { signal: input.signal } : {}) });
    const checked = await check(answered, input);
    if (typeof checked === "string") return checked;
    problems = checked;
    request = {
      ...request,
      messages: [
        ...request.messages,
        { role: "assistant", content: answered.text },
        { role: "user", content: `That answer cannot be used:\n${problems.map((p) => `- ${p}`).join("\n")}\n\nReply with the complete corrected SKILL.md in one \`\`\`\`markdown block, keeping name: ${input.skillName}.` },
      ],
    };
  }
  const by = answered ? `${answered.provider} (${answered.model})` : "the model";
  throw new AlephError("ALEPH_E_PROVIDER_RESPONSE", `${by} proposed no usable SKILL.md for skill "${input.skillName}" in ${EVOLVE_ATTEMPTS} tries: ${problems.join("; ")}`, {
    file: input.skillFile,
    fix: `run \`aleph skills evolve ${input.skillName}\` again, or with another provider or a stronger model; nothing was changed`,
  });
}

/** The validated text, or what is wrong with the answer. */
async function check(response: ModelResponse, input: ProposeEvolutionInput): Promise<string | string[]> {
  const problems: string[] = [];
  if (response.stopReason === "max_tokens") problems.push("the answer was cut off at the output token limit: shorten the file (move details to the files it already refers to)");
  let text: string;
  try {
    text = extractSkillText(response.text);
  } catch (error) {
    if (!isAlephError(error)) throw error;
    return [...problems, `it holds no SKILL.md (${errorMessage(error)})`];
  }
  const parsed = await parseSkill(text, { file: input.skillFile, folder: input.folder });
  if (!parsed.ok) {
    problems.push(...parsed.errors.map((e) => `${e.line ? `line ${e.line}: ` : ""}${e.message}`));
  } else if (parsed.skill.name !== input.skillName) {
    problems.push(`the name changed to "${parsed.skill.name}": it must stay name: ${input.skillName}`);
  }
  if (problems.length === 0 && text.trimEnd() === input.currentText.replace(/^\uFEFF/, "").trimEnd()) {
    problems.push("it is the current SKILL.md unchanged: change what made the turns fail");
  }
  return problems.length === 0 ? text : problems;
}
