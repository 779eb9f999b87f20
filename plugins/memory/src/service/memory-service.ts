import { AlephError, eventChannel, type Fact, type MemoryService, type ReindexProgress } from "@aleph/plugin-sdk";
import { isStaleStore, type EmbeddingSpace, type FactStore } from "../facts/fact-store.js";
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

/** The fact-store part of the memory service (the graph and curated files are added in runtime.ts). */
export type FactsService = Pick<MemoryService, "add" | "addMany" | "search" | "get" | "list" | "forget" | "pin" | "stats" | "optimize" | "exportFacts" | "reindex"> & {
  /** Live facts of the agent mentioning one of `labels` (full-text, then checked), and the facts with `ids`; for the graph's `about`. */
  factsAbout(agentId: string, labels: string[], ids: string[]): Promise<Fact[]>;
  /** Deletes for good the facts forgotten before `before` (ms); how many. */
  purgeForgotten(before: number): Promise<number>;
  /** Lets queued writes finish and stops background work (before the service is built again). */
  close(): Promise<void>;
};

/** Facts `factsAbout` returns at most. */
const ABOUT_MAX_FACTS = 50;

/** Facts per page of `exportFacts`. */
const EXPORT_PAGE = 500;

export function createMemoryService(options: MemoryServiceOptions): FactsService {
  let opening: Promise<FactStore> | undefined;
  const space = async (): Promise<EmbeddingSpace> => ({ model: options.embeddings.model, dimension: await options.embeddings.dimension() });
  const store = () =>
    (opening ??= space()
      .then((s) => options.openStore(s))
      .catch((error: unknown) => {
        opening = undefined; // a failed open is tried again next time
        throw error;
      }));
  /** A write, tried once more on the new table when a reindex switched tables while it waited. */
  const writing = async <T>(work: (facts: FactStore) => Promise<T>): Promise<T> => {
    try {
      return await work(await store());
    } catch (error) {
      if (!isStaleStore(error)) throw error;
      opening = undefined;
      return work(await store());
    }
  };
  let reindexing: Promise<void> | undefined;
  /** Whether an agent has live facts, once counted; an add sets it (a forget may leave a stale true: harmless). */
  const hasFacts = new Map<string, boolean>();

  /** Past [memory] max_facts, the lowest-value facts go — each announced, never silently. */
  const evict = async (agentId: string): Promise<void> => {
    for (const id of await writing((facts) => facts.evictOver(agentId, options.maxFacts))) {
      await options.events.emit("memory.fact.forgotten", { id, agentId, reason: "evicted" });
    }
  };

  const forgetOne = async (fact: Fact): Promise<Fact> => {
    if (!(await writing((facts) => facts.forget(fact.id)))) throw new AlephError("ALEPH_E_NOT_FOUND", `fact ${fact.id} is already forgotten`);
    await options.events.emit("memory.fact.forgotten", { id: fact.id, agentId: fact.agentId, reason: "forgotten" });
    return { ...fact, invalidatedAt: Date.now() };
  };

  return {
    async add(input) {
      const [vector] = await options.embeddings.embed([input.text]);
      const result = await writing((facts) => facts.add(input, vector!));
      hasFacts.set(input.agentId, true);
      if (result.outcome === "added") {
        await options.events.emit("memory.fact.added", { id: result.id, agentId: input.agentId, scope: input.scope ?? "agent" });
        await evict(input.agentId);
      }
      return result;
    },
    async addMany(inputs) {
      if (inputs.length === 0) return [];
      const vectors = await options.embeddings.embed(inputs.map((i) => i.text));
      const results = await writing((facts) => facts.addMany(inputs.map((input, i) => ({ input, vector: vectors[i]! }))));
      for (const input of inputs) hasFacts.set(input.agentId, true);
      const agents = new Set<string>();
      for (const [i, result] of results.entries()) {
        if (result.outcome !== "added") continue;
        agents.add(inputs[i]!.agentId);
        await options.events.emit("memory.fact.added", { id: result.id, agentId: inputs[i]!.agentId, scope: inputs[i]!.scope ?? "agent" });
      }
      for (const agentId of agents) await evict(agentId);
      return results;
    },
    async optimize() {
      await (await store()).optimize();
    },
    exportFacts(o = {}) {
      return eventChannel<Fact[]>(async (push, signal) => {
        const facts = await store();
        const ids = await facts.ids(o);
        for (let i = 0; i < ids.length && !signal.aborted; i += EXPORT_PAGE) push(await facts.getMany(ids.slice(i, i + EXPORT_PAGE)));
      });
    },
    reindex() {
      return eventChannel<ReindexProgress>(async (push) => {
        if (reindexing) throw new AlephError("ALEPH_E_BUSY", "a reindex is running already", { fix: "wait for it to finish (`aleph memory stats` says when the vectors are usable)" });
        const run = (async () => {
          const facts = await store();
          await facts.rebuild(await space(), (texts) => options.embeddings.embed(texts), (done, total) => push({ done, total }));
          opening = undefined; // the next call opens the new table
        })();
        reindexing = run;
        try {
          await run;
        } finally {
          reindexing = undefined;
        }
      });
    },
    async search(query, o) {
      const k = o.k ?? 5;
      const facts = await store();
      // An agent with no facts (most turns of a new agent) costs one count, once: no embedding, no
      // searches until something is added (this service is the table's only writer).
      if (!hasFacts.has(o.agentId)) hasFacts.set(o.agentId, (await facts.count(o.agentId)) > 0);
      if (!hasFacts.get(o.agentId)) return [];
      return searchFacts(facts, (text) => options.embeddings.embedQuery(text), { ...o, text: query, k }, options.tuning);
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
      return writing((facts) => facts.pin(id, pinned));
    },
    async close() {
      const open = opening;
      opening = undefined;
      if (open) await (await open.catch(() => undefined))?.close();
    },
    async purgeForgotten(before) {
      return writing((facts) => facts.purgeForgotten(before));
    },
    async factsAbout(agentId, labels, ids) {
      const facts = await store();
      const found = new Map<string, Fact>();
      for (const fact of await facts.getMany(ids)) if (fact.invalidatedAt === null) found.set(fact.id, fact);
      for (const label of labels) {
        const needle = label.toLowerCase();
        const hits = (await facts.keywordCandidates(label, { agentId, limit: 20 })).map((c) => c.id).filter((id) => !found.has(id));
        for (const fact of await facts.getMany(hits)) if (fact.text.toLowerCase().includes(needle)) found.set(fact.id, fact);
        if (found.size >= ABOUT_MAX_FACTS) break;
      }
      return [...found.values()].slice(0, ABOUT_MAX_FACTS);
    },
    async stats(agentId) {
      return (await store()).stats(agentId);
    },
  };
}
