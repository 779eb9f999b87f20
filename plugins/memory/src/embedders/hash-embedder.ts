import { AlephError, cosineSimilarity } from "@aleph/plugin-sdk";

/*
 * The `hash` embedder: deterministic, offline, dependency-free. It is LEXICAL, not semantic: two
 * texts are close when they share words, word pairs and spelling (character trigrams catch
 * "deploy"/"deployment"), never because they mean the same thing in other words. It is the
 * default because no registry package ships model weights; a provider embedder (OpenAI-compatible
 * or Ollama) gives semantic recall.
 *
 * Features are hashed into `dimension` buckets (feature hashing, with a hash-derived sign so
 * collisions cancel out on average rather than pile up), weighted by sublinear term frequency,
 * and the vector is L2-normalised, so cosine similarity is a dot product.
 */

/** Recorded with every vector: a change of version or dimension means a re-index. */
export const HASH_EMBEDDER_MODEL = "hash-v1";
export const HASH_EMBEDDER_DEFAULT_DIMENSION = 384;

const WORD_WEIGHT = 1;
const BIGRAM_WEIGHT = 0.6;
const TRIGRAM_WEIGHT = 0.35;
/** Function words still count, a little: "where I live" and "I live where" should not be equal to "live". */
const STOPWORD_FACTOR = 0.15;

const STOPWORDS = new Set(
  "a an and are as at be been but by do does did for from had has have he her his i if in into is it its me my no not of on or our she so than that the their them then there these they this to was we were what when where which who why will with you your".split(" "),
);

/** FNV-1a, 32 bits: fast, stable across platforms and Node versions. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Lower-cased words of letters and digits in any script, compatibility-normalised (ﬁ → fi, full-width digits → digits). */
export function words(text: string): string[] {
  return text.normalize("NFKC").toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Each feature of a text with its weight and how often it occurs. */
function features(text: string): Map<string, { weight: number; count: number }> {
  const out = new Map<string, { weight: number; count: number }>();
  const add = (feature: string, weight: number) => {
    const seen = out.get(feature);
    if (seen) seen.count++;
    else out.set(feature, { weight, count: 1 });
  };
  const tokens = words(text);
  tokens.forEach((word, i) => {
    const stop = STOPWORDS.has(word);
    add(`w:${word}`, WORD_WEIGHT * (stop ? STOPWORD_FACTOR : 1));
    const next = tokens[i + 1];
    if (next !== undefined && !(stop && STOPWORDS.has(next))) add(`b:${word} ${next}`, BIGRAM_WEIGHT);
    if (!stop && word.length > 3) {
      const padded = `^${word}$`;
      for (let j = 0; j + 3 <= padded.length; j++) add(`c:${padded.slice(j, j + 3)}`, TRIGRAM_WEIGHT);
    }
  });
  return out;
}

/** Embeds one text. An empty text (or one without letters or digits) is the zero vector. */
export function hashEmbed(text: string, dimension = HASH_EMBEDDER_DEFAULT_DIMENSION): Float32Array {
  if (!Number.isInteger(dimension) || dimension < 16 || dimension > 8192) {
    throw new AlephError("ALEPH_E_CONFIG", `hash embedder dimension ${String(dimension)} is out of range`, { fix: "use a whole number from 16 to 8192 (default 384)" });
  }
  const vector = new Float32Array(dimension);
  for (const [feature, { weight, count }] of features(text)) {
    const hash = fnv1a(feature);
    // Bucket from the low bits, sign from the top bit: independent enough for hashing features.
    const sign = hash & 0x80000000 ? -1 : 1;
    // Sublinear frequency: a word said five times is not five times as relevant.
    vector[hash % dimension]! += sign * weight * (1 + Math.log(count));
  }
  let norm = 0;
  for (const x of vector) norm += x * x;
  if (norm === 0) return vector;
  const scale = 1 / Math.sqrt(norm);
  for (let i = 0; i < dimension; i++) vector[i]! *= scale;
  return vector;
}

/** Cosine similarity of two vectors of one space; 0 when either is the zero vector. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) {
    throw new AlephError("ALEPH_E_USAGE", `cannot compare vectors of ${a.length} and ${b.length} dimensions`, { fix: "re-embed both with the same model (aleph memory reindex)" });
  }
  return cosineSimilarity(a, b);
}
