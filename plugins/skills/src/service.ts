import { existsSync } from "node:fs";
import { join } from "node:path";
import { AlephError, providersRef, sessionsRef, type PluginServices, type SkillsService, type SkillsStats } from "@aleph/plugin-sdk";
import type { RankedSkill } from "./match/matcher.js";
import type { TurnTracker } from "./agent/turn-tracker.js";
import type { SkillsConfig } from "./config.js";
import type { GateEnvironment } from "./gating/requirements.js";
import type { SkillRegistry } from "./registry.js";
import type { SkillSet } from "./skill-set.js";
import type { EvolutionStore } from "./runtime.js";

/*
 * The `skills` service: what the CLI, other plugins and the agent's pieces all ask, so they agree.
 * Listing, reading and the prompt index come from the index in memory; matching, creating a skill
 * and everything about evolution.db load dist/runtime.js on first use.
 */

export interface ServiceDeps {
  registry: SkillRegistry;
  config: () => SkillsConfig;
  agents: () => readonly { id: string; workspaceDir: string }[];
  tracker: TurnTracker;
  evolution: () => Promise<EvolutionStore>;
  runtime: () => Promise<typeof import("./runtime.js")>;
  promptIndex: (set: SkillSet, agentId: string, maxChars: number) => string;
  match: (set: SkillSet, agentId: string, text: string, k: number) => Promise<RankedSkill[]>;
  services: PluginServices;
  gate: () => GateEnvironment;
}

export function createSkillsService(deps: ServiceDeps): SkillsService {
  const { registry } = deps;
  /** An agent the workspace declares (main, when there is no workspace plugin). */
  const known = (agentId: string) => {
    if (!deps.agents().some((a) => a.id === agentId)) {
      throw new AlephError("ALEPH_E_NOT_FOUND", `no agent "${agentId}"`, { fix: `declare it in config.toml ([[agents]] id = "${agentId}"), or use one of: ${deps.agents().map((a) => a.id).join(", ")}` });
    }
    return agentId;
  };
  /** The copy of `name` an agent gets; an invalid one (every copy broken, or a refused link) is never read. */
  const winner = (name: string, agentId: string) => {
    const view = registry.current.view(known(agentId));
    const info = view.byName.get(name);
    if (!info) {
      const names = [...view.byName.keys()];
      throw new AlephError("ALEPH_E_NOT_FOUND", `no skill "${name}" for agent ${agentId}`, { fix: names.length ? `aleph skills list shows them (e.g. ${names.slice(0, 5).join(", ")})` : "create one: aleph skills new <name>" });
    }
    if (info.status === "invalid") throw new AlephError("ALEPH_E_CONFIG", `skill "${name}" cannot be used: ${info.reasons.join("; ")}`, { file: info.file, fix: `aleph skills check ${info.dir}` });
    return info;
  };
  const workspaceOf = (agentId: string) => {
    const agent = deps.agents().find((a) => a.id === agentId);
    if (!agent) throw new AlephError("ALEPH_E_NOT_FOUND", `no agent "${agentId}"`, { fix: "declare it in config.toml ([[agents]] id = …)" });
    return agent.workspaceDir;
  };

  return {
    async list(agentId = "main") {
      return registry.current.view(known(agentId)).all;
    },
    async get(name, options = {}) {
      return (await deps.runtime()).readSkillDetail(winner(name, options.agentId ?? "main"));
    },
    async readFile(name, file, options = {}) {
      return (await deps.runtime()).readSupportingFile(winner(name, options.agentId ?? "main"), file);
    },
    async match(text, options = {}) {
      if (!deps.config().enabled) return [];
      const ranked = await deps.match(registry.current, known(options.agentId ?? "main"), text, options.k ?? 5);
      return ranked.map(({ name, description, file, score }) => ({ name, description, file, score }));
    },
    async promptIndex(agentId = "main", options = {}) {
      if (!deps.config().enabled) return "";
      return deps.promptIndex(registry.current, known(agentId), options.maxChars ?? deps.config().prompt_max_chars);
    },
    async create(name, options = {}) {
      const { createSkill } = await deps.runtime();
      const parent = options.agentId ? join(workspaceOf(options.agentId), "skills") : registry.skillsDir();
      const file = await createSkill(parent, name, options.description);
      await registry.refresh();
      return file;
    },
    async stats() {
      const evolutionFile = evolutionPath(deps);
      const stats: SkillsStats = {
        filesRead: registry.index.filesRead,
        indexed: registry.index.copies.length,
        updatedAt: registry.updatedAt,
        buildMs: registry.buildMs,
        path: deps.gate().path,
        // An empty workspace stays empty: stats never creates evolution.db.
        metrics: existsSync(evolutionFile) ? (await deps.evolution()).metrics() : [],
      };
      return stats;
    },
    async evolve(name, options = {}) {
      const agentId = options.agentId ?? "main";
      const info = winner(name, agentId);
      const providers = deps.services.getOptional(providersRef);
      if (!providers) throw new AlephError("ALEPH_E_SERVICE", "evolving a skill asks a model, and the providers plugin is not running", { fix: "enable the providers plugin and configure one in providers.toml" });
      const runtime = await deps.runtime();
      const store = await deps.evolution();
      return runtime.evolveSkill({ info, agentId, force: options.force === true, config: deps.config(), store, providers, sessions: deps.services.getOptional(sessionsRef) });
    },
    async suggestions(options = {}) {
      return (await deps.evolution()).suggestions(options);
    },
    async suggestion(id) {
      return (await deps.evolution()).suggestion(id);
    },
    async applySuggestion(id) {
      const store = await deps.evolution();
      const suggestion = store.suggestion(id);
      const info = winner(suggestion.skill, suggestion.agentId);
      const applied = await (await deps.runtime()).applySuggestion({ suggestion, info, store, skillsDir: registry.skillsDir() });
      await registry.refresh();
      return applied;
    },
    async rejectSuggestion(id) {
      return (await deps.evolution()).decide(id, "rejected");
    },
  };
}

function evolutionPath(deps: ServiceDeps): string {
  return join(deps.registry.rootDir, "evolution.db");
}
