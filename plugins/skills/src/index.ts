import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  agentRef,
  definePlugin,
  importSibling,
  skillsRef,
  toolsRef,
  workspaceRef,
  type Disposable,
  type PluginContribution,
  type SkillsService,
} from "@aleph/plugin-sdk";
import { SKILL_READ_TOOL } from "./agent/skill-read-tool.js";
import { TurnTracker } from "./agent/turn-tracker.js";
import { skillsConfigSchema, type SkillsConfig } from "./config.js";
import type { GateEnvironment } from "./gating/requirements.js";
import { SkillRegistry } from "./registry.js";
import type { PluginParts } from "./plugin-parts.js";
import type { EvolutionStore } from "./evolution/evolution-store.js";

/*
 * The skills plugin's entry, imported at every start: the index (built before the plugin is ready,
 * from the on-disk cache when nothing changed), the service, the agent's contributors and tool, and
 * the watches. Matching, evolution.db and the evolve step are in dist/runtime.js, loaded on first use.
 */
const runtimeModule = () => importSibling<typeof import("./runtime.js")>(import.meta.url, "runtime");

/** The skills shipped with this plugin: `skills/` beside `dist/`. */
const BUNDLED_DIR = fileURLToPath(new URL("../skills", import.meta.url));

export default definePlugin({
  // The [skills] section of config.toml.
  config: skillsConfigSchema,

  async setup(ctx) {
    let config: SkillsConfig = ctx.config;
    const agents = () => ctx.services.getOptional(workspaceRef)?.agents() ?? [{ id: "main", workspaceDir: ctx.paths.workspace }];
    const gate = (): GateEnvironment => ({
      path: process.env.PATH ?? "",
      env: process.env,
      configValue: (key) => ctx.configValue(key),
      platform: process.platform,
    });
    const registry = new SkillRegistry({
      root: ctx.paths.root,
      bundledDir: BUNDLED_DIR,
      pluginId: ctx.id,
      cacheFile: join(ctx.paths.data, "index-cache.json"),
      parse: async (text, options) => (await runtimeModule()).parseSkill(text, options),
      seedsFile: new URL("./bundled-skills.json", import.meta.url),
      skillsDir: () => config.skills_dir,
      agents,
      contributions: () => ctx.plugins.contributions("skills"),
      gate,
      emit: (event, payload) => ctx.events.emit(event, payload),
      log: ctx.log,
    });
    // The plugin is ready (and kernel.ready waits for it) once its index is built; its cache is
    // written after the start (or when the plugin goes, if the kernel never got ready).
    await registry.refresh();
    // onReady handlers run as kernel.ready is announced: the write waits for the next turn of the loop.
    let started!: () => void;
    const afterStart = new Promise<void>((resolve) => (started = resolve)).then(() => new Promise<void>((resolve) => setImmediate(resolve)));
    ctx.onReady(() => started());
    // A cache that cannot be written costs the next start a re-read, nothing more.
    const saveCache = () => {
      try {
        registry.index.save();
      } catch (error) {
        ctx.log.warn("the skills index cache could not be written; the next start re-reads every SKILL.md", { error: String(error) });
      }
    };
    void afterStart.then(saveCache);
    ctx.onDispose(saveCache);

    // evolution.db (and better-sqlite3) is opened by the first use recorded or asked about.
    let store: Promise<EvolutionStore> | undefined;
    const evolutionFile = join(ctx.paths.root, "evolution.db");
    const evolution = () => (store ??= runtimeModule().then((runtime) => new runtime.EvolutionStore(evolutionFile)));
    ctx.onDispose(async () => (await store)?.close());
    const tracker = new TurnTracker(() => registry.current, evolution);

    // What the registrations below stand in for: built on first use, from dist/runtime.js.
    let made: Promise<PluginParts> | undefined;
    const parts = () => (made ??= runtimeModule().then((runtime) => runtime.createParts({ registry, config: () => config, agents, tracker, evolution, runtime: runtimeModule, services: ctx.services, gate })));
    const call =
      <K extends keyof SkillsService>(method: K) =>
      async (...args: Parameters<SkillsService[K]>): Promise<Awaited<ReturnType<SkillsService[K]>>> =>
        ((await parts()).service[method] as (...a: unknown[]) => Promise<Awaited<ReturnType<SkillsService[K]>>>)(...args);
    ctx.services.provide(skillsRef, {
      list: call("list"),
      get: call("get"),
      readFile: call("readFile"),
      match: call("match"),
      promptIndex: call("promptIndex"),
      create: call("create"),
      stats: call("stats"),
      evolve: call("evolve"),
      suggestions: call("suggestions"),
      suggestion: call("suggestion"),
      applySuggestion: call("applySuggestion"),
      rejectSuggestion: call("rejectSuggestion"),
    } satisfies SkillsService);

    // The agent loop: the index in the system prompt, /<name> and auto-match on the turn, skill_read.
    const agent = ctx.services.getOptional(agentRef);
    if (agent) {
      ctx.onDispose(
        agent.addContextContributor({
          name: "skills-index",
          get maxChars() {
            return config.prompt_max_chars;
          },
          contribute: async (request) => (await parts()).index.contribute(request),
        }).dispose,
      );
      ctx.onDispose(
        agent.addContextContributor({
          name: "skills-turn",
          // An invoked skill is given whole (a SKILL.md is at most 1 MB: larger ones are not read).
          get maxChars() {
            return Math.max(config.auto_match.max_chars, 1024 * 1024);
          },
          contribute: async (request) => (await parts()).turn.contribute(request),
        }).dispose,
      );
      ctx.events.on("agent.turn.started", ({ turnId, agentId, sessionKey }) => tracker.started(turnId, agentId, sessionKey));
      ctx.events.on("agent.turn.completed", ({ turnId, sessionKey }) => tracker.ended(turnId, sessionKey, "completed"));
      ctx.events.on("agent.turn.failed", ({ turnId, sessionKey, code, message }) => tracker.ended(turnId, sessionKey, code === "ALEPH_E_CANCELLED" ? "cancelled" : "failed", message));
    }
    // skill_read is offered while skills are enabled.
    const tools = ctx.services.getOptional(toolsRef);
    let toolRegistration: Disposable | undefined;
    const offerTool = () => {
      if (!tools) return;
      if (config.enabled && !toolRegistration) {
        toolRegistration = tools.register({ ...SKILL_READ_TOOL, parameters: { ...SKILL_READ_TOOL.parameters }, handler: async (args, context) => (await parts()).skillRead.handler(args, context) }, ctx.id);
      }
      if (!config.enabled && toolRegistration) {
        toolRegistration.dispose();
        toolRegistration = undefined;
      }
    };
    offerTool();
    ctx.onDispose(() => toolRegistration?.dispose());

    // Hot reload: the roots are watched (the bundled one changes only with Aleph itself). The set of
    // roots follows the config, the agents and the plugins that contribute skills.
    let watched = "";
    let watch: Disposable | undefined;
    const watchRoots = () => {
      const dirs = registry.roots().filter((r) => r.source !== "bundled").map((r) => r.dir);
      const key = dirs.join("\0");
      if (key === watched) return false;
      watched = key;
      watch?.dispose();
      const handle = ctx.watch(dirs, () => registry.refresh().then(() => undefined));
      watch = handle;
      // Not awaited (the start does not wait for the watcher's scan): once it is in place, one more
      // scan catches what changed between the index build and then, announced like any change.
      if (ctx.watching) {
        void Promise.all([handle.ready, afterStart])
          .then(() => (watch === handle ? registry.refresh() : undefined))
          .catch((error: unknown) => ctx.log.warn("skills rescan after watching began failed", { error: String(error) }));
      }
      return true;
    };
    watchRoots();
    ctx.onDispose(() => watch?.dispose());
    const rootsMayHaveChanged = async () => {
      if (watchRoots()) await registry.refresh();
    };

    ctx.onConfigChange(async (next) => {
      config = next;
      offerTool();
      await rootsMayHaveChanged();
    });
    // Another section changed: an agent declared, a config key a skill requires set.
    ctx.events.on("config.changed", async () => {
      registry.regate();
      await rootsMayHaveChanged();
    });
    const contributionsKey = (list: readonly PluginContribution[]) => list.map((c) => `${c.plugin}:${c.paths.join(",")}`).join("\0");
    let contributed = contributionsKey(ctx.plugins.contributions("skills"));
    const pluginsChanged = async () => {
      const key = contributionsKey(ctx.plugins.contributions("skills"));
      if (key === contributed) return;
      contributed = key;
      await rootsMayHaveChanged();
    };
    ctx.events.on("plugin.loaded", pluginsChanged);
    ctx.events.on("plugin.unloaded", pluginsChanged);
  },
});
