import { cosineSimilarity, type EmbeddingsService, type SkillMatch } from "@aleph/plugin-sdk";
import { LexicalIndex, terms, type LexicalHit } from "./lexical.js";

/*
 * Ranking one agent's available skills for a message: the lexical index, blended with vector
 * similarity when the `embeddings` service is there (a paraphrase shares no words with the skill
 * it means). Embeddings are an improvement, never a dependency: when they fail, the lexical ranking
 * stands alone. A skill set is rebuilt whenever a SKILL.md changes, so skill vectors live in a cache
 * shared by the rebuilt matchers and keyed by model and text: only a changed skill is embedded again.
 */

export interface SkillCandidate {
  name: string;
  description: string;
  file: string;
}

/** A match with what its score is made of, for thresholds and tuning. */
export interface RankedSkill extends SkillMatch {
  parts: {
    /** BM25 (0 when no word matched). */
    lexical: number;
    /** Cosine similarity of the message and the skill; null when embeddings were not used. */
    cosine: number | null;
    /** 0: not named; 1: the message spells out the skill's full name; 2: it invokes it, as `/name`. */
    named: 0 | 1 | 2;
  };
}

export interface MatchOptions {
  k: number;
  embeddings?: EmbeddingsService | undefined;
  signal?: AbortSignal | undefined;
  /** Told when embeddings failed and the match went on lexical alone (for a log line). */
  onEmbeddingsError?: ((error: unknown) => void) | undefined;
}

const LEXICAL_WEIGHT = 0.6;
const VECTOR_WEIGHT = 0.4;
/** A skill no word matched counts only when it is at least this close: below, cosine is mostly noise. */
const COSINE_FLOOR = 0.2;
/** Added per level of naming (mentioned 1, invoked 2): a blended score is at most 1, so named skills always come first. */
const NAMED_BONUS = 1;

/** Skill vectors by embedding model and text, least recently used dropped first past `maxEntries`. */
export class EmbeddingCache {
  readonly #vectors = new Map<string, Float32Array>();

  constructor(readonly maxEntries = 10_000) {}

  get size(): number {
    return this.#vectors.size;
  }

  get(model: string, text: string): Float32Array | undefined {
    const key = `${model}\n${text}`;
    const vector = this.#vectors.get(key);
    if (vector) {
      this.#vectors.delete(key);
      this.#vectors.set(key, vector);
    }
    return vector;
  }

  set(model: string, text: string, vector: Float32Array): void {
    const key = `${model}\n${text}`;
    this.#vectors.delete(key);
    this.#vectors.set(key, vector);
    while (this.#vectors.size > this.maxEntries) this.#vectors.delete(this.#vectors.keys().next().value!);
  }
}

/** What is embedded for a skill: the model sees what the index lists. */
function embeddingText(skill: SkillCandidate): string {
  return `${skill.name}: ${skill.description}`;
}

function cosine(a: Float32Array, b: Float32Array): number {
  // Vectors of another dimension (the embedder changed under us) are not comparable: no similarity.
  return a.length === b.length ? cosineSimilarity(a, b) : 0;
}

export class SkillMatcher {
  readonly #skills: readonly SkillCandidate[];
  readonly #lexical: LexicalIndex;
  readonly #cache: EmbeddingCache;
  /** This set's vectors, asked for once per embedder and model (concurrent matches share the one request). */
  #vectors: { embeddings: EmbeddingsService; model: string; promise: Promise<Float32Array[]> } | undefined;

  /** `cache`: share one across the matchers of rebuilt skill sets so unchanged skills are not embedded again. */
  constructor(skills: readonly SkillCandidate[], options: { cache?: EmbeddingCache | undefined } = {}) {
    this.#skills = skills;
    this.#lexical = new LexicalIndex(skills);
    this.#cache = options.cache ?? new EmbeddingCache();
  }

  /** The k skills that best match `text`, best first; only those with a score above 0. */
  async match(text: string, options: MatchOptions): Promise<RankedSkill[]> {
    const { k, embeddings, signal } = options;
    signal?.throwIfAborted();
    if (!(k >= 1) || this.#skills.length === 0) return [];
    const hits = this.#lexical.search(text);
    // Nothing matched a word: only the vectors can help, and a message of stopwords alone ("can you
    // do this?") asks for no skill in particular.
    if (hits.length === 0 && (!embeddings || terms(text).length === 0)) return [];
    let cosines: number[] | undefined;
    if (embeddings) {
      try {
        cosines = await this.#cosines(text, embeddings);
      } catch (error) {
        options.onEmbeddingsError?.(error);
      }
      signal?.throwIfAborted();
    }

    // Lexical scores count relative to the best of this message (BM25 has no fixed scale).
    const top = hits.reduce((best, h) => Math.max(best, h.score), 0);
    const lexical = (hit: LexicalHit | undefined) => (hit && top > 0 ? hit.score / top : 0);
    const bonus = (hit: LexicalHit | undefined) => (hit?.named ?? 0) * NAMED_BONUS;
    // Without vectors the lexical order is already the answer.
    if (!cosines) return hits.slice(0, Math.floor(k)).map((hit) => this.#ranked(hit.index, lexical(hit) + bonus(hit), hit, null));

    const byIndex = new Array<LexicalHit | undefined>(this.#skills.length);
    for (const hit of hits) byIndex[hit.index] = hit;
    const ranked: RankedSkill[] = [];
    cosines.forEach((cos, i) => {
      const hit = byIndex[i];
      if (!hit && cos < COSINE_FLOOR) return;
      ranked.push(this.#ranked(i, LEXICAL_WEIGHT * lexical(hit) + VECTOR_WEIGHT * Math.max(0, cos) + bonus(hit), hit, cos));
    });
    ranked.sort((a, b) => b.score - a.score || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return ranked.slice(0, Math.floor(k));
  }

  #ranked(index: number, score: number, hit: LexicalHit | undefined, cosine: number | null): RankedSkill {
    const { name, description, file } = this.#skills[index]!;
    return { name, description, file, score, parts: { lexical: hit?.score ?? 0, cosine, named: hit?.named ?? 0 } };
  }

  async #cosines(text: string, embeddings: EmbeddingsService): Promise<number[]> {
    const [vectors, query] = await Promise.all([this.#skillVectors(embeddings), embeddings.embedQuery(text)]);
    const q = Float32Array.from(query);
    return vectors.map((v) => cosine(v, q));
  }

  #skillVectors(embeddings: EmbeddingsService): Promise<Float32Array[]> {
    const model = embeddings.model;
    if (this.#vectors?.embeddings === embeddings && this.#vectors.model === model) return this.#vectors.promise;
    const promise = this.#embedSkills(embeddings, model);
    this.#vectors = { embeddings, model, promise };
    // A failed request is forgotten, so the next match asks again.
    promise.catch(() => {
      if (this.#vectors?.promise === promise) this.#vectors = undefined;
    });
    return promise;
  }

  async #embedSkills(embeddings: EmbeddingsService, model: string): Promise<Float32Array[]> {
    const texts = this.#skills.map(embeddingText);
    const vectors = texts.map((t) => this.#cache.get(model, t));
    const missing = vectors.flatMap((v, i) => (v ? [] : [i]));
    if (missing.length > 0) {
      // One call for all of them: the embedder batches as its provider allows.
      const fresh = await embeddings.embed(missing.map((i) => texts[i]!));
      if (fresh.length !== missing.length) throw new Error(`the embedder returned ${fresh.length} vectors for ${missing.length} skills`);
      // Stored under the model as it is now: a provider's model name may be known only after its first call.
      const storedModel = embeddings.model;
      missing.forEach((i, j) => {
        const vector = Float32Array.from(fresh[j]!);
        vectors[i] = vector;
        this.#cache.set(storedModel, texts[i]!, vector);
      });
    }
    return vectors as Float32Array[];
  }
}
