import { AlephError, type EmbedOptions, type EmbedResult } from "@aleph/plugin-sdk";

/*
 * Embeddings from a model provider (openai-compatible `POST /embeddings`, Ollama `POST /api/embed`),
 * always through the providers service — memory never reads an API key. Around each call:
 * batches of `batchSize` texts, a probe that learns the model's dimension once, every answer
 * checked against it, and a small cache of query embeddings (a query is often asked again).
 * Retries are the providers service's (429, 5xx, network, timeout_ms; max_retries and Retry-After
 * of providers.toml): retrying here as well would multiply the requests of a failing batch.
 */

export type EmbedCall = (texts: string[], options?: EmbedOptions) => Promise<EmbedResult>;

export interface ProviderEmbedderOptions {
  /** The provider's name in providers.toml. */
  provider: string;
  /** The embedding model; default: the provider's `embedding_model`. */
  model?: string | undefined;
  batchSize?: number;
  cacheSize?: number;
}

export class ProviderEmbedder {
  readonly #call: EmbedCall;
  readonly #options: Required<Omit<ProviderEmbedderOptions, "model">> & { model: string | undefined };
  #dimension: number | undefined;
  #model: string | undefined;
  readonly #cache = new Map<string, number[]>();

  constructor(call: EmbedCall, options: ProviderEmbedderOptions) {
    this.#call = call;
    this.#options = {
      batchSize: 64,
      cacheSize: 256,
      ...options,
      model: options.model,
    };
    if (!Number.isInteger(this.#options.batchSize) || this.#options.batchSize < 1) throw new AlephError("ALEPH_E_CONFIG", `embedding batch size ${String(this.#options.batchSize)} must be a whole number ≥ 1`);
  }

  /** `provider:<name>/<model>`, recorded with every vector (known after the first call). */
  get modelId(): string {
    return `provider:${this.#options.provider}/${this.#model ?? this.#options.model ?? "?"}`;
  }

  /** The model's dimension, learned by embedding one short text the first time it is asked. */
  async dimension(signal?: AbortSignal): Promise<number> {
    if (this.#dimension === undefined) await this.#batch(["dimension probe"], signal);
    return this.#dimension!;
  }

  /** Embeds texts in batches; the vectors come back in the order of the texts. */
  async embedDocuments(texts: string[], signal?: AbortSignal): Promise<number[][]> {
    const out: number[][] = [];
    for (let i = 0; i < texts.length; i += this.#options.batchSize) out.push(...(await this.#batch(texts.slice(i, i + this.#options.batchSize), signal)));
    return out;
  }

  /** Embeds a search query, from the cache when it was asked recently. */
  async embedQuery(text: string, signal?: AbortSignal): Promise<number[]> {
    const hit = this.#cache.get(text);
    if (hit) {
      // Most recently used last: the oldest is the first to go.
      this.#cache.delete(text);
      this.#cache.set(text, hit);
      return hit;
    }
    const [vector] = await this.#batch([text], signal);
    this.#cache.set(text, vector!);
    if (this.#cache.size > this.#options.cacheSize) this.#cache.delete(this.#cache.keys().next().value!);
    return vector!;
  }

  async #batch(texts: string[], signal?: AbortSignal): Promise<number[][]> {
    const result = await this.#call(texts, { provider: this.#options.provider, ...(this.#options.model ? { model: this.#options.model } : {}), ...(signal ? { signal } : {}) });
    return this.#check(texts, result);
  }

  #check(texts: string[], result: EmbedResult): number[][] {
    const where = `${result.provider}/${result.model}`;
    if (result.vectors.length !== texts.length) {
      throw new AlephError("ALEPH_E_PROVIDER_RESPONSE", `${where} returned ${result.vectors.length} embeddings for ${texts.length} texts`, { fix: "check that the server implements the embeddings endpoint" });
    }
    this.#model = result.model;
    for (const vector of result.vectors) {
      if (vector.length === 0 || vector.some((x) => typeof x !== "number" || !Number.isFinite(x))) {
        throw new AlephError("ALEPH_E_PROVIDER_RESPONSE", `${where} returned an embedding that is not a list of numbers`);
      }
      this.#dimension ??= vector.length;
      if (vector.length !== this.#dimension) {
        throw new AlephError("ALEPH_E_PROVIDER_RESPONSE", `${where} returned an embedding of ${vector.length} dimensions; this model gave ${this.#dimension} before`, {
          fix: "the provider changed its model: run `aleph memory reindex` once it answers consistently",
        });
      }
    }
    return result.vectors;
  }
}
