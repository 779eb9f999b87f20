import { AlephError, type ProvidersService } from "@aleph/plugin-sdk";

/*
 * The LLM extractor (`[memory] auto_extract = "llm"`): one model call per user message, add-only —
 * it proposes facts, never edits or deletes one. It sees the user's words alone (never the
 * assistant's, never recalled memory), and its answer is checked: a malformed answer adds nothing.
 * The prompt is documented in docs/memory.md; change both together.
 */

export const LLM_EXTRACT_PROMPT = `You extract durable facts from ONE message a user wrote to their assistant.
Keep only what the user states as true about themselves, the people and things in their life, their preferences, plans and work.
Ignore questions, hypotheticals, jokes, quoted or pasted text, code, and anything inside <recalled-memory> tags.
Write each fact as one short self-contained sentence in the third person ("The user's sister lives in Lyon").
Answer with JSON only: {"facts": ["...", "..."]} — at most 5 facts; {"facts": []} when there is none.`;

const MAX_FACTS = 5;
const MAX_FACT_CHARS = 300;

/** The facts in a model's answer, or an error saying what was wrong with it. */
export function parseExtractAnswer(answer: string): string[] {
  const start = answer.indexOf("{");
  const end = answer.lastIndexOf("}");
  if (start < 0 || end < start) throw new AlephError("ALEPH_E_PROVIDER_RESPONSE", "the extractor's answer holds no JSON object", { fix: "use a model that follows JSON instructions, or [memory] auto_extract = \"rules\"" });
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.slice(start, end + 1));
  } catch (error) {
    throw new AlephError("ALEPH_E_PROVIDER_RESPONSE", `the extractor's answer is not JSON: ${(error as Error).message}`);
  }
  const facts = (parsed as { facts?: unknown }).facts;
  if (!Array.isArray(facts)) throw new AlephError("ALEPH_E_PROVIDER_RESPONSE", 'the extractor\'s answer has no "facts" list');
  return facts
    .filter((f): f is string => typeof f === "string")
    .map((f) => f.replace(/\s+/g, " ").trim())
    .filter((f) => f.length > 0 && f.length <= MAX_FACT_CHARS)
    .slice(0, MAX_FACTS);
}

export async function extractWithModel(providers: ProvidersService, message: string, signal?: AbortSignal): Promise<string[]> {
  const answer = await providers.complete(
    { system: LLM_EXTRACT_PROMPT, messages: [{ role: "user", content: message.slice(0, 8_000) }], maxTokens: 400, temperature: 0 },
    signal ? { signal } : {},
  );
  return parseExtractAnswer(answer.text);
}
