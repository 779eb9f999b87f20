import {
  AlephError,
  errorMessage,
  isAlephError,
  type PluginInfo,
  type PluginKind,
  type PluginStatus,
  type UnloadReason,
} from "@aleph/plugin-sdk";
import type { ConfigSnapshot } from "./config-loader.js";
import { deepEqual } from "./config-loader.js";
import { planLoadOrder } from "./dependency-graph.js";
import { discoverPlugins, type BundledPlugin, type DiscoveryResult, type PluginCandidate } from "./discovery.js";
import type { EventBus } from "./event-bus.js";
import type { LogSystem } from "./logger.js";
import { checkApi } from "./manifest.js";
import { loadNodePlugin, type LoadedCode, type NodeLoadOptions } from "./node-loader.js";
import type { AlephPaths, PluginSearchPath } from "./paths.js";
import { PluginInstance } from "./plugin-instance.js";
import { resolveEntry } from "./entry.js";
import { touchesLoadedCode } from "./reload-triggers.js";
import { scopedPluginIds, type LoadScope } from "./load-scope.js";
import { describe, losingCopies, sortInfos } from "./plugin-info.js";
import { ServiceRegistry, type ServiceInfo } from "./service-registry.js";
import { TimeoutError, withTimeout } from "./timeout.js";
import { locateTomlKey } from "./toml-locate.js";
import { redactError } from "./redact.js";
import { pluginSectionIssues, sectionOf, validateSection, type PluginSectionIssue } from "./plugin-config.js";

/** Loads a plugin's code for its kind. WASM plugins plug in here with their own loader. */
export type PluginLoader = (candidate: PluginCandidate, attempt: number, timeoutMs: number, options?: NodeLoadOptions) => Promise<LoadedCode>;

export interface PluginHostOptions {
  searchPaths: PluginSearchPath[];
  bundled: BundledPlugin[];
  bus: EventBus;
  logs: LogSystem;
  paths: AlephPaths;
  config: () => ConfigSnapshot;
  hostApi: string;
  loaders?: Partial<Record<PluginKind, PluginLoader>>;
  /** Whether the search paths are watched: loaders then record what each plugin imports (see filesChanged). */
  watching?: () => boolean;
  /**
   * Scrubs secret values out of text. Every failure is redacted when it is recorded, so no copy
   * the host keeps or shows (status, inspect, events, logs) holds a secret a plugin put in an error.
   */
  redact?: (text: string) => string;
  /** Load only these plugins and services (a kernel started for one command); by default everything. */
  scope?: LoadScope;
}

type RecordStatus = "active" | "failed" | "disabled" | "inactive";

interface PluginRecord {
  id: string;
  candidate: PluginCandidate;
  status: RecordStatus;
  error?: AlephError;
  /** Successful setups so far; the running instance has this generation. */
  generation: number;
  /** Imports so far; every import after the first gets a fresh module graph. */
  attempts: number;
  /** Code of the running (or last running) generation. */
  code?: LoadedCode;
  /** Freshly imported code waiting for its setup. */
  fresh?: LoadedCode;
  instance?: PluginInstance;
  /** Candidate whose code is running (differs from `candidate` while a broken edit is on disk). */
  running?: PluginCandidate;
  loadSeq: number;
  /** Left out of a scoped kernel: reported `inactive`, never loaded. */
  outOfScope?: boolean;
}

/**
 * Node never frees an ES module, so each reload keeps that generation's module code and
 * module-level data (see docs/plugins.md, "Lifecycle"). From this many imports of one plugin on,
 * and at every power of two after, the log says so.
 */
const RETAINED_WARNING_AT = 64;

/** Failures that clear by themselves when something else changes, so they are retried on every pass. */
const RETRYABLE = new Set(["ALEPH_E_DEPENDENCY", "ALEPH_E_CYCLE", "ALEPH_E_CONFIG"]);

function toAlephError(error: unknown, code: "ALEPH_E_SETUP" | "ALEPH_E_IMPORT", file: string, fix: string): AlephError {
  if (isAlephError(error)) return error as AlephError;
  return new AlephError(code, errorMessage(error), { file, fix, cause: error });
}

/**
 * The plugin host. Every change — start, a file event, a config change, shutdown — goes through
 * one serialized queue, and every file-driven change is the same reconcile pass:
 * discover → decide what stops, what (re)loads → import new code (a failed import keeps the old
 * generation running) → unload in reverse load order → load in dependency order → reload any
 * plugin whose bound providers changed (fail-over), until nothing changes.
 */
export class PluginHost {
  readonly registry = new ServiceRegistry();
  #options: PluginHostOptions;
  #records = new Map<string, PluginRecord>();
  #found: DiscoveryResult = { winners: new Map(), overridden: [], shadowFailed: [], duplicates: [] };
  /** Shadow failures already announced (id, directory, failure), so each is reported once. */
  #shadowReported = new Set<string>();
  #queue: Promise<unknown> = Promise.resolve();
  #loadSeq = 0;
  #stopped = false;
  #optionalCycleMates = new Map<string, Set<string>>();

  constructor(options: PluginHostOptions) {
    this.#options = options;
  }

  /** Runs `task` after every task queued before it. */
  #enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Discovers and loads everything. */
  start(): Promise<void> {
    return this.#enqueue(() => this.#reconcile(new Set(), true));
  }

  /** Re-examines the plugins whose directories changed (and, cheaply, everything else). */
  refresh(changedDirs: Iterable<string>): Promise<void> {
    const changed = new Set(changedDirs);
    return this.#enqueue(() => (this.#stopped ? Promise.resolve() : this.#reconcile(changed, false)));
  }

  /**
   * Paths changed in a watched plugin directory. A running plugin is re-examined only when one of
   * them is a file it loads (manifest, entry, a module it imported); a directory whose plugin does
   * not run — new, failed, a copy that lost its id — is re-examined on any change.
   */
  filesChanged(dir: string, paths: string[]): Promise<void> {
    return this.#enqueue(async () => {
      if (this.#stopped) return;
      const rec = [...this.#records.values()].find((r) => r.instance && (r.running?.dir === dir || r.running?.realDir === dir));
      // A running plugin with an error has a broken edit on disk: any change may be its fix.
      if (rec && !rec.error && rec.code && !paths.some((path) => touchesLoadedCode(this.#loadedFiles(rec), path))) {
        this.#log.debug("change ignored: the plugin does not load these files", { plugin: rec.id, paths });
        return;
      }
      await this.#reconcile(new Set([dir]), false);
    });
  }

  #loadedFiles(rec: PluginRecord): Parameters<typeof touchesLoadedCode>[0] {
    const running = rec.running!;
    const modules = running.manifest!.kind === "wasm" ? new Set<string>() : rec.code!.files?.();
    return { dir: running.dir, realDir: running.realDir, entry: running.manifest!.entry, modules };
  }

  /** Reloads one plugin with fresh code, as if its files had changed. */
  reload(id: string): Promise<void> {
    const rec = this.#records.get(id);
    return this.refresh(rec ? [rec.candidate.dir] : []);
  }

  /** Unloads every plugin in reverse load order. */
  stop(): Promise<void> {
    return this.#enqueue(async () => {
      this.#stopped = true;
      const active = [...this.#records.values()].filter((r) => r.instance).sort((a, b) => b.loadSeq - a.loadSeq);
      for (const rec of active) await this.#unload(rec, "shutdown");
    });
  }

  /**
   * Validates the plugin-owned sections of a new config against each plugin's schema,
   * so an invalid change is refused before anything is applied.
   */
  async validateSections(snapshot: ConfigSnapshot): Promise<PluginSectionIssue[]> {
    const issues: PluginSectionIssue[] = [];
    for (const rec of this.#records.values()) {
      const definition = (rec.fresh ?? rec.code)?.definition;
      const manifest = rec.candidate.manifest;
      if (!definition || !manifest || rec.status === "disabled") continue;
      issues.push(...(await pluginSectionIssues(definition, manifest, snapshot)));
    }
    return issues;
  }

  /**
   * Applies a validated config change: a plugin whose section changed gets its onConfigChange
   * handlers, or is reloaded when it has none; [extensions] changes re-run discovery.
   */
  applyConfig(previous: ConfigSnapshot, next: ConfigSnapshot): Promise<void> {
    return this.#enqueue(async () => {
      if (this.#stopped) return;
      const reload = new Set<string>();
      for (const rec of this.#records.values()) {
        const inst = rec.instance;
        if (!inst) continue;
        const key = inst.manifest.configKey;
        if (deepEqual(sectionOf(previous.config, key), sectionOf(next.config, key))) continue;
        const config = await this.#configFor(rec, rec.code!, next).catch((error: unknown) => error as AlephError);
        if (config instanceof AlephError) {
          reload.add(rec.id); // cannot happen after validateSections, but never leave a plugin on a config it rejects
          continue;
        }
        if (inst.configHandlers.size === 0) {
          reload.add(rec.id);
          continue;
        }
        const before = inst.config;
        inst.config = config;
        try {
          for (const handler of [...inst.configHandlers]) await handler(config, before);
          this.#log.info("plugin applied config change", { plugin: rec.id });
        } catch (error) {
          this.#log.warn("plugin failed to apply config change; reloading it", { plugin: rec.id, error });
          reload.add(rec.id);
        }
      }
      await this.#reconcile(new Set(), false, reload);
    });
  }

  #redact = (text: string): string => this.#options.redact?.(text) ?? text;

  get #log() {
    return this.#options.logs.get("kernel.host");
  }

  async #reconcile(changed: Set<string>, all: boolean, restartSameCode: Set<string> = new Set()): Promise<void> {
    const snapshot = this.#options.config();
    const ext = snapshot.config.extensions;
    const found = discoverPlugins(ext.enabled ? this.#options.searchPaths : [], this.#options.bundled, {
      hostApi: this.#options.hostApi,
      runningDir: (id) => (this.#records.get(id)?.instance ? this.#records.get(id)!.running?.realDir : undefined),
    });
    this.#found = found;
    this.#reportShadowFailures(found);
    const disabled = new Set(ext.disabled);
    const inScope = this.#options.scope ? scopedPluginIds(found.winners, this.#options.scope) : undefined;
    const stop = new Map<string, UnloadReason>();
    const newCode = new Set<string>(); // active plugins to restart on freshly imported code
    const toLoad = new Set<string>(); // inactive plugins to try loading
    const touchedIds = new Set<string>(); // plugins whose files (or winning directory) changed
    const movedIds = new Set<string>();

    for (const [id, rec] of this.#records) {
      if (!found.winners.has(id) && rec.instance) stop.set(id, "removed");
    }
    for (const [id, candidate] of found.winners) {
      let rec = this.#records.get(id);
      if (!rec) {
        rec = { id, candidate, status: "inactive", generation: 0, attempts: 0, loadSeq: 0 };
        this.#records.set(id, rec);
      }
      const moved = rec.candidate.realDir !== candidate.realDir;
      const touched = all || moved || changed.has(candidate.dir) || changed.has(candidate.realDir);
      if (touched) touchedIds.add(id);
      if (moved) {
        movedIds.add(id);
        rec.code = undefined; // code imported from the old directory never runs for the new one
        rec.fresh = undefined;
      }
      rec.candidate = candidate;
      if (disabled.has(id)) {
        if (rec.instance) stop.set(id, "disabled");
        rec.status = "disabled";
        rec.error = undefined;
        continue;
      }
      if (rec.status === "disabled") rec.status = "inactive";
      if (inScope && !inScope.has(id)) {
        rec.outOfScope = true; // would load under `aleph start`; this kernel does not need it
        continue;
      }
      const invalid = candidate.error ?? checkApi(candidate.manifest!, this.#options.hostApi, candidate.manifestFile);
      if (invalid) {
        if (rec.instance && !moved) {
          this.#fail(rec, invalid, true); // a broken edit on disk never takes down the running generation
        } else {
          if (rec.instance) stop.set(id, "reload");
          this.#fail(rec, invalid);
        }
        continue;
      }
      if (rec.instance) {
        if (touched) newCode.add(id);
        else if (restartSameCode.has(id)) stop.set(id, "reload");
      } else if (touched || rec.status === "inactive" || (rec.error && RETRYABLE.has(rec.error.code))) {
        toLoad.add(id);
        if (touched) rec.fresh = undefined;
      }
    }

    // Import new code before stopping anything: a plugin whose new code fails to import keeps running
    // (unless its directory changed: code from a directory that is gone must not keep running).
    const needsImport = (id: string) => {
      const rec = this.#records.get(id)!;
      return touchedIds.has(id) || (!rec.fresh && !rec.code);
    };
    await this.#importAll([...newCode, ...[...toLoad].filter(needsImport)]);
    for (const id of newCode) {
      const rec = this.#records.get(id)!;
      if (rec.fresh || movedIds.has(id)) stop.set(id, "reload");
      else newCode.delete(id);
    }
    for (const id of toLoad) {
      const rec = this.#records.get(id)!;
      if (!rec.fresh && !rec.code) toLoad.delete(id);
    }

    // Dependents of a stopping provider stop too (first), and come back in the load pass.
    const stopping = new Set(stop.keys());
    let grew = true;
    while (grew) {
      grew = false;
      for (const rec of this.#records.values()) {
        if (!rec.instance || stopping.has(rec.id)) continue;
        const boundToStopping = [...rec.instance.bindings.values()].some((p) => p && stopping.has(p.pluginId));
        if (!boundToStopping) continue;
        stopping.add(rec.id);
        stop.set(rec.id, this.#willComeBack(rec, stopping, newCode) ? "reload" : "dependency");
        grew = true;
      }
    }
    const unloadOrder = [...stop.keys()].map((id) => this.#records.get(id)!).sort((a, b) => b.loadSeq - a.loadSeq);
    for (const rec of unloadOrder) {
      await this.#unload(rec, stop.get(rec.id)!);
      if (stop.get(rec.id) !== "disabled" && found.winners.has(rec.id)) toLoad.add(rec.id);
    }
    for (const [id, rec] of this.#records) if (!found.winners.has(id) && !rec.instance) this.#records.delete(id);

    await this.#loadPass(toLoad);
    for (const rec of this.#records.values()) if (!rec.instance && rec.status === "inactive" && !rec.outOfScope) rec.status = "failed";

    // Fail-over: anyone whose bound provider changed (a better one arrived, or theirs left) reloads.
    for (let round = 0; round < 8; round++) {
      const stale = [...this.#records.values()]
        .filter((r) => r.instance?.bindingsChanged(this.#optionalCycleMates.get(r.id)))
        .sort((a, b) => b.loadSeq - a.loadSeq);
      if (stale.length === 0) break;
      const again = new Set<string>();
      for (const rec of stale) {
        await this.#unload(rec, "reload");
        again.add(rec.id);
      }
      await this.#loadPass(again);
    }
  }

  /** Announces each copy that newly fails before setup while a weaker copy of its id runs instead. */
  #reportShadowFailures(found: DiscoveryResult): void {
    const now = new Set<string>();
    for (const { candidate, running } of found.shadowFailed) {
      const error = candidate.error!;
      const key = [candidate.id, candidate.realDir, error.code, error.message].join("\0");
      now.add(key);
      if (this.#shadowReported.has(key)) continue;
      this.#log.warn("a plugin copy failed before setup; the next copy of its id runs instead", {
        plugin: candidate.id,
        failed: candidate.dir,
        code: error.code,
        error: error.message,
        running: running.dir,
      });
      void this.#options.bus.emit("plugin.shadow_failed", {
        id: candidate.id,
        failed: { source: candidate.source, path: candidate.dir, code: error.code, message: error.fix ? `${error.message}. Fix: ${error.fix}` : error.message },
        running: { source: running.source, path: running.dir },
      });
    }
    this.#shadowReported = now;
  }

  /** Whether a dependent stopped with its provider will find every required service again. */
  #willComeBack(rec: PluginRecord, stopping: Set<string>, restarting: Set<string>): boolean {
    return rec.candidate.manifest!.services.requires.every((service) =>
      [...this.#records.values()].some(
        (p) =>
          p.candidate.manifest?.services.provides.includes(service) &&
          ((p.instance && !stopping.has(p.id)) || restarting.has(p.id)),
      ),
    );
  }

  async #importAll(ids: string[]): Promise<void> {
    const snapshot = this.#options.config();
    const timeoutMs = snapshot.config.extensions.setup_timeout_ms;
    // A few imports at a time: overlapping their file reads is most of the gain.
    const queue = [...new Set(ids)];
    const worker = async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
        const rec = this.#records.get(id)!;
        const loader = this.#options.loaders?.[rec.candidate.manifest!.kind] ?? (rec.candidate.manifest!.kind === "node" ? loadNodePlugin : undefined);
        rec.attempts += 1;
        try {
          if (!loader) {
            throw new AlephError("ALEPH_E_ENTRY", `this host has no loader for ${rec.candidate.manifest!.kind} plugins`, {
              file: rec.candidate.manifestFile,
              fix: "use a build of Aleph with that plugin kind enabled",
            });
          }
          const candidate = rec.candidate.inline ? rec.candidate : { ...rec.candidate, entryFile: resolveEntry(rec.candidate) };
          // Bundled plugins live outside the search paths, so nothing watches them.
          const trackFiles = rec.candidate.source !== "bundled" && (this.#options.watching?.() ?? false);
          rec.fresh = await loader(candidate, rec.attempts, timeoutMs, { trackFiles });
          if (rec.attempts >= RETAINED_WARNING_AT && (rec.attempts & (rec.attempts - 1)) === 0 && rec.candidate.manifest!.kind === "node") {
            this.#log.warn("plugin reloaded many times: Node keeps every generation's module code and module-level data; restart aleph to reclaim that memory", {
              plugin: rec.id,
              imports: rec.attempts,
            });
          }
        } catch (error) {
          rec.fresh = undefined;
          this.#fail(rec, toAlephError(error, "ALEPH_E_IMPORT", rec.candidate.manifestFile, "fix the plugin's entry"), Boolean(rec.instance));
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(8, queue.length) }, worker));
  }

  async #loadPass(ids: Set<string>): Promise<void> {
    if (ids.size === 0) return;
    const nodes = [...this.#records.values()]
      .filter((r) => r.candidate.manifest && !r.candidate.error && r.status !== "disabled")
      .map((r) => ({ id: r.id, ...r.candidate.manifest!.services }));
    const plan = planLoadOrder(nodes);
    this.#optionalCycleMates = plan.optionalCycleMates;
    for (const [id, cycle] of plan.cycles) {
      const rec = this.#records.get(id)!;
      if (!ids.has(id) || rec.instance) continue;
      this.#fail(
        rec,
        new AlephError("ALEPH_E_CYCLE", `plugins ${cycle.map((c) => `"${c}"`).join(" → ")} → "${cycle[0]}" require each other's services in a cycle`, {
          file: rec.candidate.manifestFile,
          fix: "break the cycle: make one of the requires optional, or move the shared service into its own plugin",
        }),
      );
    }
    for (const id of plan.order) {
      const rec = this.#records.get(id);
      if (rec && ids.has(id) && !rec.instance && (rec.fresh || rec.code)) await this.#load(rec);
    }
  }

  /** Why a required service has no provider, in words. */
  #missingReason(service: string): string {
    const providers = [...this.#records.values()].filter((r) => r.candidate.manifest?.services.provides.includes(service));
    if (providers.length === 0) return `no plugin provides service "${service}"`;
    return providers
      .map((p) =>
        p.status === "disabled"
          ? `provider "${p.id}" is disabled`
          : p.error
            ? `provider "${p.id}" failed (${p.error.code}: ${p.error.message})`
            : `provider "${p.id}" is not active`,
      )
      .join("; ");
  }

  async #configFor(rec: PluginRecord, code: LoadedCode, snapshot: ConfigSnapshot): Promise<unknown> {
    const key = rec.candidate.manifest!.configKey;
    const section = sectionOf(snapshot.config, key);
    if (!code.definition.config) return section ?? {};
    const result = await validateSection(code.definition.config, section);
    if (result.ok) return result.value;
    const first = result.issues[0]!;
    const path = [...key.split("."), ...(first.path ? first.path.split(".") : [])];
    throw new AlephError(
      "ALEPH_E_CONFIG",
      `config section [${key}] is invalid for plugin "${rec.id}": ${result.issues.map((i) => `${i.path ? `${i.path}: ` : ""}${i.message}`).join("; ")}`,
      { file: snapshot.files.config, line: locateTomlKey(snapshot.text.config, path), fix: `correct [${key}] in config.toml` },
    );
  }

  async #load(rec: PluginRecord): Promise<void> {
    const manifest = rec.candidate.manifest!;
    for (const service of manifest.services.requires) {
      if (!this.registry.bound(service)) {
        this.#fail(
          rec,
          new AlephError("ALEPH_E_DEPENDENCY", `plugin "${rec.id}" requires service "${service}": ${this.#missingReason(service)}`, {
            file: rec.candidate.manifestFile,
            fix: `install, enable or fix a plugin that provides "${service}"; "${rec.id}" loads by itself once one is active`,
          }),
        );
        return;
      }
    }
    const fresh = rec.fresh;
    rec.fresh = undefined;
    const code = fresh ?? rec.code!;
    const error = await this.#setup(rec, code);
    if (!error) {
      rec.code = code;
      rec.error = undefined;
      return;
    }
    // New code that imports but fails its setup: bring the previous code back up.
    if (fresh && rec.code && rec.running?.realDir === rec.candidate.realDir) {
      this.#fail(rec, error, false);
      const rollback = await this.#setup(rec, rec.code);
      if (!rollback) {
        rec.error = redactError(error, this.#redact); // running the previous code; the list shows why the new code is not running
        this.#log.warn("reload failed; the previous code is running again", { plugin: rec.id, code: error.code });
      } else this.#fail(rec, rollback);
      return;
    }
    if (fresh && !rec.code) rec.code = fresh; // keep the imported code so a config or dependency change can retry
    this.#fail(rec, error);
  }

  /** Runs a plugin's setup in a fresh instance; returns the failure, if any. */
  async #setup(rec: PluginRecord, code: LoadedCode): Promise<AlephError | undefined> {
    const snapshot = this.#options.config();
    const candidate = rec.candidate;
    const manifest = candidate.manifest!;
    let config: unknown;
    try {
      config = await this.#configFor(rec, code, snapshot);
    } catch (error) {
      return error as AlephError;
    }
    const paths = this.#options.paths;
    const instance = new PluginInstance({
      manifest,
      source: candidate.source,
      dir: candidate.dir,
      generation: rec.generation + 1,
      config,
      bus: this.#options.bus,
      registry: this.registry,
      log: this.#options.logs.get(rec.id),
      paths: { root: paths.root, dataDir: paths.dataDir, logDir: paths.logDir, workspaceDir: paths.workspaceDir },
      redact: this.#redact,
    });
    const timeoutMs = snapshot.config.extensions.setup_timeout_ms;
    try {
      await withTimeout(Promise.resolve().then(() => code.definition.setup(instance.ctx)), timeoutMs, `setup of plugin "${rec.id}"`);
      const missing = manifest.services.provides.filter((s) => !instance.provided.has(s));
      if (missing.length > 0) {
        throw new AlephError("ALEPH_E_SETUP", `plugin "${rec.id}" declares it provides ${missing.map((s) => `"${s}"`).join(", ")} but its setup did not provide it`, {
          file: candidate.manifestFile,
          fix: `call ctx.services.provide(...) for ${missing.join(", ")} in setup, or remove it from [services] provides`,
        });
      }
    } catch (error) {
      await instance.dispose().catch(() => undefined);
      if (error instanceof TimeoutError) {
        return new AlephError("ALEPH_E_TIMEOUT", `setup of plugin "${rec.id}" did not finish within ${error.ms} ms`, {
          file: candidate.manifestFile,
          fix: "make setup return promptly (start long work in the background, tied to ctx.signal), or raise [extensions] setup_timeout_ms",
        });
      }
      const failure = toAlephError(error, "ALEPH_E_SETUP", candidate.manifestFile, "fix the error thrown by the plugin's setup");
      return failure.code === "ALEPH_E_SETUP"
        ? failure
        : new AlephError("ALEPH_E_SETUP", `setup of plugin "${rec.id}" threw: ${failure.code}: ${failure.message}`, { file: candidate.manifestFile, fix: failure.fix ?? "fix the plugin's setup" });
    }
    instance.snapshotBindings();
    rec.instance = instance;
    rec.running = candidate;
    rec.generation += 1;
    rec.status = "active";
    rec.loadSeq = ++this.#loadSeq;
    await this.#options.bus.emit("plugin.loaded", {
      id: rec.id,
      version: manifest.version,
      kind: manifest.kind,
      source: candidate.source,
      path: candidate.dir,
      generation: rec.generation,
    });
    this.#log.info("plugin loaded", { plugin: rec.id, version: manifest.version, source: candidate.source, generation: rec.generation });
    return undefined;
  }

  async #unload(rec: PluginRecord, reason: UnloadReason): Promise<void> {
    const instance = rec.instance;
    if (!instance) return;
    rec.instance = undefined;
    if (rec.status === "active") rec.status = "inactive";
    try {
      await withTimeout(instance.dispose(), this.#options.config().config.extensions.setup_timeout_ms, `teardown of plugin "${rec.id}"`);
    } catch (error) {
      this.#log.error("plugin teardown failed", { plugin: rec.id, error });
      await this.#options.bus.emit("plugin.error", { id: rec.id, event: "plugin.unloaded", message: this.#redact(`teardown failed: ${errorMessage(error)}`) });
    }
    await this.#options.bus.emit("plugin.unloaded", { id: rec.id, version: instance.manifest.version, reason });
    this.#log.info("plugin unloaded", { plugin: rec.id, reason });
  }

  /** Records a failure and reports it once (the same failure again is not re-announced). */
  #fail(rec: PluginRecord, failure: AlephError, keepRunning = false): void {
    const error = redactError(failure, this.#redact);
    const repeated = rec.error?.code === error.code && rec.error.message === error.message;
    rec.error = error;
    if (!keepRunning || !rec.instance) rec.status = rec.instance ? "active" : "failed";
    if (repeated) return;
    // The original, with its cause: the plugin's own stack says where it threw (the log line is redacted whole).
    this.#log.error("plugin failed", { plugin: rec.id, code: error.code, error: failure, file: error.file });
    void this.#options.bus.emit("plugin.failed", {
      id: rec.id,
      code: error.code,
      message: error.fix ? `${error.message}. Fix: ${error.fix}` : error.message,
      ...(error.file ? { file: error.file } : {}),
    });
  }

  /** Every plugin the host knows, for `status` and `plugins list`. */
  list(): PluginInfo[] {
    const out: PluginInfo[] = [];
    for (const rec of this.#records.values()) {
      const candidate = rec.instance ? rec.running ?? rec.candidate : rec.candidate;
      const status: PluginStatus = rec.status === "inactive" ? (rec.outOfScope ? "inactive" : "failed") : rec.status;
      out.push(describe(candidate, status, rec.error, rec.instance ? rec.generation : undefined));
    }
    out.push(...losingCopies(this.#found));
    return sortInfos(out);
  }

  /** Config schemas of the plugins whose code is loaded, keyed by the section they own. */
  configSchemas(): { plugin: string; section: string; schema: unknown }[] {
    return [...this.#records.values()]
      .filter((r) => (r.code ?? r.fresh)?.definition.config && r.candidate.manifest)
      .map((r) => ({ plugin: r.id, section: r.candidate.manifest!.configKey, schema: (r.code ?? r.fresh)!.definition.config }));
  }

  services(): ServiceInfo[] {
    return this.registry.list();
  }

  /** Active instance of a plugin (tests and the test kit use it). */
  instanceOf(id: string): PluginInstance | undefined {
    return this.#records.get(id)?.instance;
  }

  /** The definition of an active plugin's running code (the CLI runs its command handlers). */
  definitionOf(id: string): LoadedCode["definition"] | undefined {
    const rec = this.#records.get(id);
    return rec?.instance ? rec.code?.definition : undefined;
  }

  manifestFileOf(id: string): string | undefined {
    return this.#records.get(id)?.candidate.manifestFile;
  }
}
