/*
 * The rule-based extractor: facts a user states about themselves or asks the agent to keep,
 * found offline with a few patterns ("remember that…", "my name is…", "I prefer…", "I live in…",
 * "I work on…", "my <thing> is…"). It reads USER messages only — the caller never passes the
 * assistant's words — and skips what the user did not state: questions, conditionals, quoted
 * lines, code blocks and recalled-memory blocks pasted back (RECALLED_MEMORY_TAG).
 */

/** The element recalled facts are wrapped in when they are put before the model; never re-extracted. */
export const RECALLED_MEMORY_TAG = "recalled-memory";

export type ExtractedCategory = "note" | "identity" | "preference" | "location" | "work" | "personal";

export interface ExtractedFact {
  /** The fact, in the third person ("The user lives in Berlin"). */
  text: string;
  category: ExtractedCategory;
  /** How sure the rule is, 0–1: an explicit "remember that" is surer than "I like". */
  confidence: number;
}

const MAX_VALUE_CHARS = 200;
const MAX_INPUT_CHARS = 20_000;

/** What the user wrote themselves: without code blocks, quoted lines and recalled-memory blocks. */
function ownWords(message: string): string {
  return message
    .slice(0, MAX_INPUT_CHARS)
    .replace(new RegExp(`<${RECALLED_MEMORY_TAG}\\b[^>]*>[\\s\\S]*?(</${RECALLED_MEMORY_TAG}>|$)`, "gi"), " ")
    .replace(/```[\s\S]*?(```|$)/g, " ")
    .replace(/^\s*>.*$/gm, " ");
}

/** Sentences with their closing mark (a question is recognised by its "?"). */
function sentences(text: string): { text: string; question: boolean }[] {
  const out: { text: string; question: boolean }[] = [];
  for (const match of text.matchAll(/[^.!?\n]+([.!?]+|\n|$)/g)) {
    const sentence = match[0].trim();
    if (sentence.length > 0) out.push({ text: sentence.replace(/[.!?\s]+$/, ""), question: sentence.endsWith("?") });
  }
  return out;
}

/** A captured value, cleaned: trimmed of quotes and filler, bounded, and holding a letter or digit. */
function value(raw: string | undefined): string | undefined {
  const v = (raw ?? "")
    .trim()
    .replace(/^["'“‘]+|["'”’]+$/g, "")
    .replace(/\s+(?:please|thanks|thank you)$/i, "")
    .trim();
  if (v.length === 0 || v.length > MAX_VALUE_CHARS || !/[\p{L}\p{N}]/u.test(v)) return undefined;
  return v;
}

interface Rule {
  pattern: RegExp;
  make: (m: RegExpMatchArray) => ExtractedFact | undefined;
}

const fact = (text: string | undefined, category: ExtractedCategory, confidence: number): ExtractedFact | undefined =>
  text === undefined ? undefined : { text, category, confidence };
const withValue = (raw: string | undefined, build: (v: string) => string, category: ExtractedCategory, confidence: number) => {
  const v = value(raw);
  return fact(v === undefined ? undefined : build(v), category, confidence);
};
const capitalised = (v: string) => v.charAt(0).toUpperCase() + v.slice(1);

/**
 * What the user asked to remember, in the third person like every other fact: "my sister lives in
 * Lyon" → "The user's sister lives in Lyon", "I am vegetarian" → "The user is vegetarian". A
 * first person the swaps cannot conjugate ("I need to call mom") is kept as quoted speech instead
 * of being mangled: `The user said: "I need to call mom"`.
 */
export function thirdPerson(text: string): string {
  const swapped = text
    .replace(/\bI(?:'m| am)\b/g, "the user is")
    .replace(/\bI(?:'ve| have)\b/g, "the user has")
    .replace(/\bI was\b/g, "the user was")
    .replace(/\bI (?:don'?t|do not)\b/g, "the user does not")
    .replace(/\b(?:my|My)\b/g, "the user's")
    .replace(/\b(?:mine|Mine)\b/g, "the user's");
  if (/\b(?:I|me|myself)\b/i.test(swapped.replace(/\bthe user\b/g, ""))) return `The user said: "${text}"`;
  return capitalised(swapped);
}

// Patterns are tried in order on each sentence; the first that matches wins.
const RULES: Rule[] = [
  { pattern: /^(?:please\s+)?(?:remember|don'?t forget|do not forget|note)(?:\s+that)?[:,]?\s+(?!(?:that|this|it)$)(.+)$/i, make: (m) => withValue(m[1], thirdPerson, "note", 0.9) },
  { pattern: /^(?:hi,?\s+|hello,?\s+)?(?:my name is|my name's|call me)\s+(.+)$/i, make: (m) => withValue(m[1], (v) => `The user's name is ${v}`, "identity", 0.9) },
  { pattern: /^i(?:'m| am) called\s+(.+)$/i, make: (m) => withValue(m[1], (v) => `The user's name is ${v}`, "identity", 0.85) },
  { pattern: /^i (?:really |much |strongly )?prefer\s+(.+)$/i, make: (m) => withValue(m[1], (v) => `The user prefers ${v}`, "preference", 0.8) },
  { pattern: /^i (?:don'?t|do not) (?:like|enjoy|want)\s+(.+)$/i, make: (m) => withValue(m[1], (v) => `The user does not like ${v}`, "preference", 0.75) },
  { pattern: /^i (?:hate|dislike|can'?t stand)\s+(.+)$/i, make: (m) => withValue(m[1], (v) => `The user dislikes ${v}`, "preference", 0.75) },
  { pattern: /^i (?:really )?(?:like|love|enjoy)\s+(.+)$/i, make: (m) => withValue(m[1], (v) => `The user likes ${v}`, "preference", 0.7) },
  { pattern: /^i (?:live|reside) in\s+(.+)$/i, make: (m) => withValue(m[1], (v) => `The user lives in ${v}`, "location", 0.85) },
  { pattern: /^i(?:'m| am) (?:based|living) in\s+(.+)$/i, make: (m) => withValue(m[1], (v) => `The user lives in ${v}`, "location", 0.85) },
  { pattern: /^i(?:'ve| have)? (?:just )?moved to\s+(.+)$/i, make: (m) => withValue(m[1], (v) => `The user lives in ${v}`, "location", 0.8) },
  { pattern: /^i(?:'m| am)? (?:currently )?work(?:ing)? on\s+(.+)$/i, make: (m) => withValue(m[1], (v) => `The user works on ${v}`, "work", 0.8) },
  { pattern: /^i (?:currently )?work (at|for)\s+(.+)$/i, make: (m) => withValue(m[2], (v) => `The user works ${m[1]!.toLowerCase()} ${v}`, "work", 0.8) },
  { pattern: /^my ((?:[\p{L}\p{N}'-]+\s){0,3}[\p{L}\p{N}'-]+) (is|are)\s+(.+)$/iu, make: (m) => withValue(m[3], (v) => `The user's ${m[1]!.toLowerCase()} ${m[2]!.toLowerCase()} ${v}`, "personal", 0.7) },
];

/** A sentence the user did not state as true of now: a question, a conditional, a wish. */
function notAStatement(sentence: { text: string; question: boolean }): boolean {
  return sentence.question || /^(?:if|when|whether|what if|suppose|imagine|maybe|perhaps)\b/i.test(sentence.text);
}

/** The facts a user message states, each once, in the order they appear. */
export function extractFacts(message: string): ExtractedFact[] {
  const out: ExtractedFact[] = [];
  const seen = new Set<string>();
  for (const sentence of sentences(ownWords(message))) {
    if (notAStatement(sentence)) continue;
    for (const rule of RULES) {
      const m = sentence.text.match(rule.pattern);
      if (!m) continue;
      const found = rule.make(m);
      if (found && !seen.has(found.text.toLowerCase())) {
        seen.add(found.text.toLowerCase());
        out.push(found);
      }
      break;
    }
  }
  return out;
}
