/*
 * Lexical ranking of skills for a message: BM25 over each skill's name and description. A skill
 * is a few dozen words, so the whole index is postings lists built once per skill set, with each
 * posting's BM25 weight computed at build time: a query only adds up the weights of its own terms,
 * it never reads a description again. Naming a skill outright (`/git-commit`, "use git-commit")
 * puts it first, whatever the words around it say; invoking it as a command (`/git-commit`) beats
 * merely mentioning a name ("weather" is also a plain word).
 */

const K1 = 1.2;
const B = 0.75;
/** A word of the name counts as this many of the description's: the name says what the skill is for. */
const NAME_WEIGHT = 3;

/** Words that say nothing about which skill is meant, including a request's politeness and contraction tails ("what's"). */
const STOPWORDS = new Set(
  (
    "a am an and any are as at be been being but by can could did do does for from had has have he her him his how i if in into is it its " +
    "me my of on or our please she should so some than that the their them then there these they this those to us use using was we were " +
    "what when where which who why will with would you your s t d ll m re ve"
  ).split(" "),
);

/** `text` in lower case, cut at every character that is not a letter or a digit (so `git-commit` is git, commit). */
function words(text: string): string[] {
  return text
    .normalize("NFKC")
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
}

/**
 * A light suffix stripper, not a real stemmer: enough that "commits", "committed" and "committing"
 * meet "commit", and "messages" meets "message". It only has to be the same on both sides
 * (skills and messages go through it alike), so a stem need not be a word ("messag").
 */
export function stem(word: string): string {
  let w = word;
  if (w.length > 4 && w.endsWith("ies")) w = `${w.slice(0, -3)}y`;
  else if (w.length > 4 && /(?:s|x|z|ch|sh)es$/.test(w)) w = w.slice(0, -2);
  else if (w.length > 3 && w.endsWith("s") && !/(?:ss|us|is)$/.test(w)) w = w.slice(0, -1);

  const before = w;
  if (w.length >= 6 && w.endsWith("ing")) w = w.slice(0, -3);
  else if (w.length >= 5 && w.endsWith("ed") && !w.endsWith("eed")) w = w.slice(0, -2);
  // "committ" → "commit", "runn" → "run"; but "add" and "pull" stay whole.
  if (w !== before && w.length > 3 && w.at(-1) === w.at(-2) && !/[lsz]$/.test(w)) w = w.slice(0, -1);

  // "write"/"writing", "code"/"coding": both lose the e.
  if (w.length >= 4 && w.endsWith("e")) w = w.slice(0, -1);
  return w;
}

/** The terms BM25 counts in `text`: its words, less stopwords, stemmed. */
export function terms(text: string): string[] {
  const out: string[] = [];
  for (const w of words(text)) if (!STOPWORDS.has(w)) out.push(stem(w));
  return out;
}

/**
 * How strongly `text` names each skill name it spells out (a run of letters, digits, `-` and `_`):
 * 2 invoked as a command (`/git-commit` at the start or after a space), 1 just mentioned.
 */
function mentions(text: string): Map<string, 1 | 2> {
  const lower = text.normalize("NFKC").toLowerCase();
  const found = new Map<string, 1 | 2>();
  for (const m of lower.matchAll(/[\p{L}\p{N}_-]+/gu)) {
    const at = m.index;
    const command = at > 0 && lower[at - 1] === "/" && (at === 1 || /\s/u.test(lower[at - 2]!));
    if (command) found.set(m[0], 2);
    else if (!found.has(m[0])) found.set(m[0], 1);
  }
  return found;
}

export interface LexicalHit {
  /** The skill's position in the list the index was built from. */
  index: number;
  /** BM25; 0 for a skill found only by its name. */
  score: number;
  /** 0: not named; 1: the message spells out the skill's full name; 2: it invokes it, as `/name`. */
  named: 0 | 1 | 2;
}

interface Postings {
  docs: number[];
  /** Term frequency while building, then the posting's BM25 weight. */
  weights: number[];
}

export class LexicalIndex {
  readonly size: number;
  readonly #postings = new Map<string, Postings>();
  readonly #byName = new Map<string, number[]>();

  constructor(skills: readonly { name: string; description: string }[]) {
    this.size = skills.length;
    const lengths: number[] = [];
    skills.forEach((skill, doc) => {
      const tf = new Map<string, number>();
      for (const t of terms(skill.name)) tf.set(t, (tf.get(t) ?? 0) + NAME_WEIGHT);
      for (const t of terms(skill.description)) tf.set(t, (tf.get(t) ?? 0) + 1);
      let length = 0;
      for (const [term, count] of tf) {
        length += count;
        let postings = this.#postings.get(term);
        if (!postings) this.#postings.set(term, (postings = { docs: [], weights: [] }));
        postings.docs.push(doc);
        postings.weights.push(count);
      }
      lengths.push(length);

      const key = skill.name.normalize("NFKC").toLowerCase();
      this.#byName.set(key, [...(this.#byName.get(key) ?? []), doc]);
    });

    const averageLength = lengths.reduce((a, b) => a + b, 0) / Math.max(1, lengths.length) || 1;
    for (const postings of this.#postings.values()) {
      const df = postings.docs.length;
      // The +1 inside the log keeps a term found in most skills slightly positive rather than negative.
      const idf = Math.log(1 + (this.size - df + 0.5) / (df + 0.5));
      postings.weights = postings.weights.map((tf, i) => {
        const norm = K1 * (1 - B + (B * lengths[postings.docs[i]!]!) / averageLength);
        return (idf * tf * (K1 + 1)) / (tf + norm);
      });
    }
  }

  /** The skills that match `text`: named ones first (invoked, then mentioned), then by score; at most `k` (default all). */
  search(text: string, k = Infinity): LexicalHit[] {
    if (!(k >= 1) || this.size === 0) return [];
    k = Math.floor(k);
    const scores = new Float64Array(this.size);
    const touched: number[] = [];
    // A word said twice in a message is not twice the evidence.
    for (const term of new Set(terms(text))) {
      const postings = this.#postings.get(term);
      if (!postings) continue;
      const { docs, weights } = postings;
      for (let i = 0; i < docs.length; i++) {
        const doc = docs[i]!;
        if (scores[doc] === 0) touched.push(doc);
        scores[doc]! += weights[i]!;
      }
    }
    const named = new Uint8Array(this.size);
    if (this.#byName.size > 0) {
      for (const [run, strength] of mentions(text)) {
        for (const doc of this.#byName.get(run) ?? []) {
          if (scores[doc] === 0 && named[doc] === 0) touched.push(doc);
          named[doc] = strength;
        }
      }
    }

    // Named first, then by score; equals in the skills' order. A few best of many are picked by insertion, not by sorting all.
    const before = (a: number, b: number) => named[b]! - named[a]! || scores[b]! - scores[a]! || a - b;
    let best: number[];
    if (k >= touched.length || k > 32) best = touched.sort(before).slice(0, k);
    else {
      best = [];
      for (const doc of touched) {
        if (best.length === k && before(doc, best[k - 1]!) > 0) continue;
        let at = best.length;
        while (at > 0 && before(doc, best[at - 1]!) < 0) at--;
        best.splice(at, 0, doc);
        if (best.length > k) best.pop();
      }
    }
    return best.map((index) => ({ index, score: scores[index]!, named: named[index] as 0 | 1 | 2 }));
  }
}
