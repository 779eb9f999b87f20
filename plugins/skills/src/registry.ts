import { isAbsolute, join, resolve } from "node:path";
import type { Logger, PluginContribution, SkillFileEvent } from "@aleph/plugin-sdk";
import type { GateEnvironment } from "./gating/requirements.js";
import { SkillIndex, type IndexChanges, type IndexedSkill, type ParseSkill } from "./discovery/skill-index.js";
import type { SkillRoot } from "./discovery/scan-root.js";
import { SkillSet } from "./skill-set.js";

/*
 * The skills of a kernel: the four roots (each agent's workspace skills/, [skills] skills_dir,
 * folders plugins contribute, the skills shipped with this plugin), their index, and the current
 * SkillSet. Rescans are serialised; each one makes a new set and announces what changed on disk.
 */

export interface RegistryDeps {
  /** The state root ([skills] skills_dir is relative to it). */
  root: string;
  /** The skills shipped inside this plugin. */
  bundledDir: string;
  /** This plugin's id (its own contribution is the bundled root). */
  pluginId: string;
  cacheFile: string;
  parse: ParseSkill;
  /** The bundled skills parsed at build time. */
  seedsFile?: string | URL;
  skillsDir: () => string;
  agents: () => readonly { id: string; workspaceDir: string }[];
  contributions: () => readonly PluginContribution[];
  gate: () => GateEnvironment;
  emit: (event: "skill.added" | "skill.changed" | "skill.removed", payload: SkillFileEvent) => Promise<void>;
  log: Logger;
}

/** How long gating results are trusted: a program installed or an env var set shows within this. */
const GATE_TTL_MS = 30_000;

export class SkillRegistry {
  readonly index: SkillIndex;
  #set: SkillSet | undefined;
  #version = 0;
  #chain: Promise<unknown> = Promise.resolve();
  /** When the first scan ended and how long it took. */
  buildMs = 0;
  updatedAt = 0;

  constructor(private readonly deps: RegistryDeps) {
    this.index = new SkillIndex(deps.cacheFile, { parse: deps.parse, ...(deps.seedsFile ? { seedsFile: deps.seedsFile } : {}) });
  }

  /** The state root (evolution.db is there). */
  get rootDir(): string {
    return this.deps.root;
  }

  /** The roots, strongest first. */
  roots(): SkillRoot[] {
    const roots: SkillRoot[] = this.deps.agents().map((a) => ({ source: "agent" as const, dir: join(a.workspaceDir, "skills"), agentId: a.id }));
    roots.push({ source: "root", dir: this.skillsDir() });
    for (const c of this.deps.contributions()) {
      if (c.plugin === this.deps.pluginId) continue;
      for (const dir of c.paths) roots.push({ source: "plugin", dir, plugin: c.plugin });
    }
    roots.push({ source: "bundled", dir: this.deps.bundledDir, plugin: this.deps.pluginId });
    return roots;
  }

  /** `[skills] skills_dir`, absolute. */
  skillsDir(): string {
    const dir = this.deps.skillsDir();
    return isAbsolute(dir) ? dir : resolve(this.deps.root, dir);
  }

  /** The skills now; a set older than the gating TTL is re-gated (same copies, fresh requirements). */
  get current(): SkillSet {
    if (!this.#set) throw new Error("the skills index is not built yet");
    if (Date.now() - this.#set.madeAt > GATE_TTL_MS) this.#set = new SkillSet(this.#set.version, this.#set.copies, this.deps.gate());
    return this.#set;
  }

  /** Rescans every root (after the previous rescan) and announces what changed; the first one announces nothing. */
  refresh(): Promise<IndexChanges> {
    const run = this.#chain.then(() => this.#refresh());
    this.#chain = run.catch(() => undefined);
    return run;
  }

  /** Re-gates against the config as it is now (a config change may meet or unmeet a requirement). */
  regate(): void {
    if (this.#set) this.#set = new SkillSet(++this.#version, this.#set.copies, this.deps.gate());
  }

  async #refresh(): Promise<IndexChanges> {
    const first = !this.#set;
    const started = performance.now();
    const changes = await this.index.scan(this.roots());
    this.#set = new SkillSet(++this.#version, this.index.copies, this.deps.gate());
    this.updatedAt = Date.now();
    if (first) {
      // The cache is written once the kernel is ready (the plugin's entry asks), off the start's path.
      this.buildMs = Math.round(performance.now() - started);
      return changes;
    }
    try {
      this.index.save();
    } catch (error) {
      this.deps.log.warn("the skills index cache could not be written; the next start re-reads every SKILL.md", { error: String(error) });
    }
    for (const copy of changes.added) await this.deps.emit("skill.added", fileEvent(copy));
    for (const copy of changes.changed) await this.deps.emit("skill.changed", fileEvent(copy));
    for (const copy of changes.removed) await this.deps.emit("skill.removed", fileEvent(copy));
    const count = changes.added.length + changes.changed.length + changes.removed.length;
    if (count > 0) this.deps.log.info("skills changed", { added: changes.added.length, changed: changes.changed.length, removed: changes.removed.length });
    return changes;
  }
}

function fileEvent(copy: IndexedSkill): SkillFileEvent {
  return {
    name: copy.parsed.ok ? copy.parsed.skill.name : copy.parsed.name,
    source: copy.root.source,
    file: copy.file,
    ...(copy.root.agentId ? { agentId: copy.root.agentId } : {}),
  };
}
