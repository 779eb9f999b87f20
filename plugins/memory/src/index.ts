import { join } from "node:path";
import { definePlugin, embeddingsRef, importSibling, memoryRef, providersRef, type EmbeddingsService, type MemoryService } from "@aleph/plugin-sdk";
import { memoryConfigSchema, type MemoryConfig } from "./config.js";

/** dist/runtime.js (the stores, embedders and search), imported on first use: see runtime.ts. */
const runtimeModule = () => importSibling<typeof import("./runtime.js")>(import.meta.url, "runtime");

export default definePlugin({
  // The [memory] section of config.toml.
  config: memoryConfigSchema,

  setup(ctx) {
    let config: MemoryConfig = ctx.config;
    let loaded: ReturnType<typeof load> | undefined;
    function load() {
      return runtimeModule().then(({ createMemory }) =>
        createMemory({
          dir: join(ctx.paths.root, "memory"),
          config,
          providers: () => ctx.services.getOptional(providersRef),
          events: { emit: (event, payload) => ctx.events.emit(event, payload) },
        }),
      );
    }
    const runtime = () => (loaded ??= load());
    // A changed [memory] section applies from the next call: the services are built again with it.
    ctx.onConfigChange((next) => {
      config = next;
      loaded = undefined;
    });

    const memory: MemoryService = {
      add: async (input) => (await runtime()).memory.add(input),
      search: async (query, options) => (await runtime()).memory.search(query, options),
      get: async (id) => (await runtime()).memory.get(id),
      list: async (options) => (await runtime()).memory.list(options),
      forget: async (target) => (await runtime()).memory.forget(target),
      pin: async (id, pinned) => (await runtime()).memory.pin(id, pinned),
      stats: async (agentId) => (await runtime()).memory.stats(agentId),
    };
    const embeddings: EmbeddingsService = {
      get model() {
        return config.embedder === "hash" ? "hash-v1" : `${config.embedder}/${config.embedding_model ?? "?"}`;
      },
      dimension: async () => (await runtime()).embeddings.dimension(),
      embed: async (texts) => (await runtime()).embeddings.embed(texts),
      embedQuery: async (text) => (await runtime()).embeddings.embedQuery(text),
    };
    ctx.services.provide(memoryRef, memory);
    ctx.services.provide(embeddingsRef, embeddings);
  },
});
