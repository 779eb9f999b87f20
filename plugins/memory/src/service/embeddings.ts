import type { EmbeddingsService } from "@aleph/plugin-sdk";
import { hashEmbed, HASH_EMBEDDER_MODEL } from "../embedders/hash-embedder.js";
import type { ProviderEmbedder } from "../embedders/provider-embedder.js";

/** What memory embeds with (the `embeddings` service): the hash embedder, or a provider's model. */
export type Embeddings = EmbeddingsService;

export function hashEmbeddings(dimension: number): Embeddings {
  return {
    model: HASH_EMBEDDER_MODEL,
    dimension: async () => dimension,
    embed: async (texts) => texts.map((t) => hashEmbed(t, dimension)),
    embedQuery: async (text) => hashEmbed(text, dimension),
  };
}

export function providerEmbeddings(embedder: ProviderEmbedder): Embeddings {
  return {
    get model() {
      return embedder.modelId;
    },
    dimension: () => embedder.dimension(),
    embed: (texts) => embedder.embedDocuments(texts),
    embedQuery: (text) => embedder.embedQuery(text),
  };
}
