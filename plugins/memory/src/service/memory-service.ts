import { AlephError, type Fact, type MemoryService } from "@aleph/plugin-sdk";
import type { EmbeddingSpace, FactStore } from "../facts/fact-store.js";
import { searchFacts, type SearchTuning } from "../search/search.js";
import type { Embeddings } from "./embeddings.js";

/*
 * The `memory` service: facts added, searched, listed, pinned and forgotten for an agent, on the
 * facts table (opened on first use, in the embedder's space). Every fact forgotten says why in
 * an event — asked, or evicted past [memory] max_facts — never silently.
 */

export interface MemoryEvents {
  emit(event: string, payload: Record<string, unknown>): unknown;
}

export interface MemoryServiceOptions {
  openStore: (space: EmbeddingSpace) => Promise<FactStore>;
  embeddings: Embeddings;
  /** Per agent: past it the lowest-value facts are forgotten (reason "evicted"). */
  maxFacts: number;
  tuning?: SearchTuning;
  events: MemoryEvents;
}

export function createMemoryService(options: MemoryServiceOptions): MemoryService {
  let opening: Promise<FactStore> | undefined;
  const store = () =>
    (opening ??= options.embeddings.dimension().then((dimension) => options.openStore({ model: options.embeddings.model, dimension })).catch((error: unknown) => {
      opening = undefined; // a failed open is tried again next time
      throw error;
    }));

  const forgetOne = async (fact: Fact): Promise<Fact> => {
    const facts = await store();
    if (!(await facts.forget(fact.id))) throw new AlephError("ALEPH_E_NOT_FOUND", `fact ${fact.id} is already forgotten`);
    await options.events.emit("memory.fact.forgotten", { id: fact.id, agentId: fact.agentId, reason: "forgotten" });
    return { ...fact, invalidatedAt: Date.now() };
  };

  return {
    async add(input) {
      const facts = await store();
      const [vector] = await options.embeddings.embed([input.text]);
      const result = await facts.add(input, vector!);
      if (result.outcome === "added") {
        await options.events.emit("memory.fact.added", { id: result.id, agentId: input.agentId, scope: input.scope ?? "agent" });
        for (const id of await facts.evictOver(input.agentId, options.maxFacts)) {
          await options.events.emit("memory.fact.forgotten", { id, agentId: input.agentId, reason: "evicted" });
        }
      }
      return result;
    },
    async search(query, o) {
      const k = o.k ?? 5;
      return searchFacts(await store(), (text) => options.embeddings.embedQuery(text), { ...o, text: query, k }, options.tuning);
    },
    async get(id) {
      return (await store()).get(id);
    },
    async list(o) {
      return (await store()).list({ ...o, limit: o.limit ?? 50 });
    },
    async forget(target) {
      const facts = await store();
      if ("id" in target) {
        const fact = await facts.get(target.id);
        if (!fact || fact.invalidatedAt !== null) throw new AlephError("ALEPH_E_NOT_FOUND", `no live fact ${target.id}`, { fix: "`aleph memory list` shows the facts and their ids" });
        return forgetOne(fact);
      }
      const needle = target.match.trim().toLowerCase();
      if (needle.length === 0) throw new AlephError("ALEPH_E_USAGE", "give some text of the fact to forget, or its id");
      const hits = (await facts.keywordCandidates(target.match, { agentId: target.agentId, limit: 50 })).map((c) => c.id);
      const matching = (await facts.getMany(hits)).filter((f) => f.text.toLowerCase().includes(needle));
      if (matching.length === 1) return forgetOne(matching[0]!);
      if (matching.length === 0) throw new AlephError("ALEPH_E_NOT_FOUND", `no fact of agent "${target.agentId}" contains "${target.match}"`, { fix: "search first (`aleph memory search`), then forget by id" });
      throw new AlephError("ALEPH_E_USAGE", `"${target.match}" is in ${matching.length} facts`, {
        fix: `forget by id: ${matching
          .slice(0, 5)
          .map((f) => `${f.id} "${f.text.slice(0, 50)}"`)
          .join("; ")}`,
      });
    },
    async pin(id, pinned = true) {
      return (await store()).pin(id, pinned);
    },
    async stats(agentId) {
      return (await store()).stats(agentId);
    },
  };
}
