import { join } from "node:path";
import { AlephError, errorMessage, redactError, TimeoutError, withTimeout, locateTomlKey, type PluginInfo, type PluginKind, type UnloadReason } from "@aleph/plugin-sdk";
import { assessPlugins, switchedOffRows, type Assessment } from "./assessment.js";
import type { ConfigSnapshot } from "./config-loader.js";
import { deepEqual } from "./config-loader.js";
import { scanPlugins, type BundledPlugin, type DiscoveryResult, type PluginCandidate } from "./discovery.js";
import { loadableCandidate } from "./entry.js";
import type { EventBus } from "./event-bus.js";
import * as failures from "./host-failures.js";
import type { LogSystem } from "./logger.js";
import { scopedPluginIds, type LoadScope } from "./load-scope.js";
import type { AlephPaths, PluginSearchPath } from "./paths.js";
import type { LoadedCode, PluginLoader } from "./plugin-loader.js";
import { pluginSectionIssues, sectionSource, validateSection, type PluginSectionIssue } from "./plugin-config.js";
import { losingCopies, sortInfos } from "./plugin-info.js";
import { PluginInstance, type ContextFacilities } from "./plugin-instance.js";
import { activeInstance, PENDING, recordError, recordInfo, type ImportedCode, type PluginRecord } from "./plugin-record.js";
import { planReconcile, withStoppingDependents } from "./reconcile-plan.js";
import { touchesLoadedCode } from "./reload-triggers.js";
import { ServiceRegistry, type ServiceInfo } from "./service-registry.js";
import { runAsPlugin } from "./plugin-activity.js";
import { readQuarantine } from "./quarantine.js";

export interface PluginHostOptions {
  searchPaths: PluginSearchPath[];
  bundled: BundledPlugin[];
  bus: EventBus;
  logs: LogSystem;
  paths: AlephPaths;
  config: () => ConfigSnapshot;
  hostApi: string;
  /** A loader per plugin kind (plugin-loader.ts); a plugin of a kind without one fails with ALEPH_E_NO_LOADER. */
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
  /** What every plugin context gets from the kernel: the file watcher, contributions, config lookup. */
  facilities: ContextFacilities;
  /**
   * Told synchronously before plugin code runs (`import`, `setup`) and after (`idle`): the
   * supervised kernel writes it down, so a crash or stall there is blamed on the plugin.
   */
  breadcrumb?: (phase: "import" | "setup" | "idle", ids: readonly string[]) => void;
}

/**
 * Node never frees an ES module, so each reload keeps that generation's module code and
 * module-level data (see docs/plugins.md, "Lifecycle"). From this many imports of one plugin on,
 * and at every power of two after, the log says so.
 */
const RETAINED_WARNING_AT = 64;

/** Whether a plugin's async work carries its id (plugin-activity.ts: third-party plugins; the bundled ones are ours). */
const trackAsync = (rec: PluginRecord): boolean => rec.candidate.source !== "bundled";

/** Milliseconds since `start`, to a tenth. */
const since = (start: number): number => Math.round((performance.now() - start) * 10) / 10;

/**
 * The plugin host: the executor of what the planner (reconcile-plan.ts) decides from the
 * assessment (assessment.ts). Every change — start, a file event, a config change, shutdown — goes
 * through one serialized queue, and every file-driven change is the same reconcile pass:
 * assess → plan what stops, what (re)loads → import new code (a failed import keeps the old
 * generation running) → unload in reverse load order → load in dependency order → reload any
 * plugin whose bound providers changed (fail-over), until nothing changes.
 */
export class PluginHost {
  readonly registry = new ServiceRegistry();
  #options: PluginHostOptions;
  #records = new Map<string, PluginRecord>();
  #assessment: Assessment | undefined;
  /** Shadow failures already announced (id, directory, failure), so each is reported once. */
  #shadowReported = new Set<string>();
  #queue: Promise<unknown> = Promise.resolve();
  #loadSeq = 0;
  #stopped = false;

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
      const rec = [...this.#records.values()].find((r) => r.state.status === "active" && (r.state.running.dir === dir || r.state.running.realDir === dir));
      // A running plugin with an error has a broken edit on disk: any change may be its fix.
      if (rec && !recordError(rec) && rec.code && !paths.some((path) => touchesLoadedCode(this.#loadedFiles(rec), path))) {
        this.#log.debug("change ignored: the plugin does not load these files", { plugin: rec.id, paths });
        return;
      }
      await this.#reconcile(new Set([dir]), false);
    });
  }

  #loadedFiles(rec: PluginRecord): Parameters<typeof touchesLoadedCode>[0] {
    const running = (rec.state as Extract<PluginRecord["state"], { status: "active" }>).running;
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
      for (const rec of this.#byLoadSeqDescending([...this.#records.values()])) await this.#unload(rec, "shutdown");
    });
  }

  #byLoadSeqDescending(recs: PluginRecord[]): PluginRecord[] {
    const seq = (r: PluginRecord) => (r.state.status === "active" ? r.state.loadSeq : 0);
    return recs.filter((r) => activeInstance(r)).sort((a, b) => seq(b) - seq(a));
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
      if (!definition || !manifest || rec.state.status === "disabled") continue;
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
        const inst = activeInstance(rec);
        if (!inst) continue;
        const key = inst.manifest.configKey;
        if (deepEqual(sectionSource(previous, key).value, sectionSource(next, key).value)) continue;
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
          for (const handler of [...inst.configHandlers]) await runAsPlugin(rec.id, () => handler(config, before), trackAsync(rec));
          this.#log.info("plugin applied config change", { plugin: rec.id });
        } catch (error) {
          this.#log.warn("plugin failed to apply config change; reloading it", { plugin: rec.id, error });
          reload.add(rec.id);
        }
      }
      await this.#reconcile(new Set(), false, reload);
    });
  }

  /**
   * Fails a running plugin that raised an unhandled rejection or uncaught exception (fault-handlers.ts):
   * it is unloaded and marked failed with ALEPH_E_UNHANDLED until its files change; plugins bound
   * to its services fail over like after any unload. False when no plugin has that id.
   */
  failUnhandled(id: string, kind: "rejection" | "exception", error: unknown): boolean {
    const rec = this.#records.get(id);
    if (!rec) return false;
    void this.#enqueue(async () => {
      if (this.#stopped) return;
      const failure = failures.unhandled(id, kind, error, rec.candidate.manifestFile);
      const wasRunning = activeInstance(rec) !== undefined;
      await this.#unload(rec, "failed");
      this.#fail(rec, failure);
      if (wasRunning) await this.#reconcile(new Set(), false);
    });
    return true;
  }

  /** The plugin whose directory holds `file` (a path from a stack frame), if any. */
  pluginOfFile(file: string): string | undefined {
    for (const rec of this.#records.values()) {
      const { dir, realDir } = rec.candidate;
      if (file.startsWith(dir + "/") || file.startsWith(realDir + "/")) return rec.id;
    }
    return undefined;
  }

  /** Each plugin's manifest and entry, by id (the supervisor fingerprints a quarantined plugin's files with them). */
  pluginFiles(): Record<string, { manifestFile: string; entryFile: string }> {
    const out: Record<string, { manifestFile: string; entryFile: string }> = {};
    for (const rec of this.#records.values()) {
      const manifest = rec.candidate.manifest;
      if (manifest && !rec.candidate.inline) out[rec.id] = { manifestFile: rec.candidate.manifestFile, entryFile: join(rec.candidate.dir, manifest.entry) };
    }
    return out;
  }

  #redact = (text: string): string => this.#options.redact?.(text) ?? text;

  get #log() {
    return this.#options.logs.get("kernel.host");
  }

  /** One pass: assess, plan, then carry the plan out. */
  async #reconcile(changed: Set<string>, all: boolean, restartSameCode: Set<string> = new Set()): Promise<void> {
    const o = this.#options;
    const ext = o.config().config.extensions;
    const assessment = assessPlugins(scanPlugins(o.searchPaths, o.bundled), ext, {
      hostApi: o.hostApi,
      quarantine: readQuarantine(o.paths.runDir),
      runningDir: (id) => {
        const state = this.#records.get(id)?.state;
        return state?.status === "active" ? state.running.realDir : undefined;
      },
    });
    const { found } = assessment;
    this.#assessment = assessment;
    this.#reportShadowFailures(found);
    const inScope = o.scope ? scopedPluginIds(found.winners, o.scope) : undefined;
    const plan = planReconcile({ assessment, records: this.#records, changed, all, restartSameCode, ...(inScope ? { inScope } : {}) });

    for (const [id, candidate] of found.winners) {
      let rec = this.#records.get(id);
      if (!rec) {
        rec = { id, candidate, state: PENDING, generation: 0, attempts: 0 };
        this.#records.set(id, rec);
      }
      if (plan.moved.has(id)) {
        rec.code = undefined; // code imported from the old directory never runs for the new one
        rec.fresh = undefined;
      }
      rec.candidate = candidate;
      if (plan.load.has(id) && plan.touched.has(id)) rec.fresh = undefined;
      const running = activeInstance(rec) !== undefined;
      const by = plan.disable.get(id);
      if (by && !running) rec.state = { status: "disabled", by };
      else if (plan.outOfScope.has(id)) rec.state = { status: "inactive", outOfScope: true };
      else if (rec.state.status === "disabled") rec.state = PENDING;
    }
    for (const [id, error] of plan.invalid) this.#fail(this.#records.get(id)!, error);

    // Import new code before stopping anything: a plugin whose new code fails to import keeps running
    // (unless its directory changed: code from a directory that is gone must not keep running).
    const { newCode, load } = plan;
    const needsImport = (id: string) => {
      const rec = this.#records.get(id)!;
      return plan.touched.has(id) || (!rec.fresh && !rec.code);
    };
    await this.#importAll([...newCode, ...[...load].filter(needsImport)]);
    for (const id of newCode) {
      if (this.#records.get(id)!.fresh || plan.moved.has(id)) plan.stop.set(id, "reload");
      else newCode.delete(id);
    }
    for (const id of load) {
      const rec = this.#records.get(id)!;
      if (!rec.fresh && !rec.code) load.delete(id);
    }

    const stop = withStoppingDependents(this.#records, plan.stop, newCode);
    for (const rec of this.#byLoadSeqDescending([...stop.keys()].map((id) => this.#records.get(id)!))) {
      const reason = stop.get(rec.id)!;
      await this.#unload(rec, reason);
      const by = plan.disable.get(rec.id);
      if (by) rec.state = { status: "disabled", by };
      else if (found.winners.has(rec.id)) load.add(rec.id);
    }
    for (const [id, rec] of this.#records) if (!found.winners.has(id) && !activeInstance(rec)) this.#records.delete(id);

    await this.#loadPass(load);
    for (const rec of this.#records.values()) {
      if (rec.state.status === "inactive" && !rec.state.outOfScope) this.#fail(rec, failures.notLoaded(rec.id, rec.candidate.manifestFile));
    }

    // Fail-over: anyone whose bound provider changed (a better one arrived, or theirs left) reloads.
    for (let round = 0; round < 8; round++) {
      const mates = assessment.plan.optionalCycleMates;
      const stale = this.#byLoadSeqDescending([...this.#records.values()]).filter((r) => activeInstance(r)!.bindingsChanged(mates.get(r.id)));
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

  async #importAll(ids: string[]): Promise<void> {
    const timeoutMs = this.#options.config().config.extensions.setup_timeout_ms;
    // A few imports at a time: overlapping their file reads is most of the gain.
    const queue = [...new Set(ids)];
    const importing = new Set<string>();
    const worker = async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
        const rec = this.#records.get(id)!;
        const kind = rec.candidate.manifest!.kind;
        const loader = this.#options.loaders?.[kind];
        const inline = rec.candidate.inline;
        rec.attempts += 1;
        try {
          if (!loader && !inline) throw failures.noLoader(rec.id, kind, rec.candidate.manifestFile);
          // Bundled plugins live outside the search paths, so nothing watches them.
          const trackFiles = rec.candidate.source !== "bundled" && (this.#options.watching?.() ?? false);
          const started = performance.now();
          // An in-memory plugin has its code already: no loader, whatever its kind.
          importing.add(id);
          this.#options.breadcrumb?.("import", [...importing]);
          const code = inline
            ? { definition: inline }
            : await runAsPlugin(id, () => loader!(loadableCandidate(rec.candidate), rec.attempts, timeoutMs, { trackFiles }), trackAsync(rec));
          rec.fresh = { ...code, importMs: since(started) };
          if (rec.attempts >= RETAINED_WARNING_AT && (rec.attempts & (rec.attempts - 1)) === 0 && kind === "node") {
            this.#log.warn("plugin reloaded many times: Node keeps every generation's module code and module-level data; restart aleph to reclaim that memory", {
              plugin: rec.id,
              imports: rec.attempts,
            });
          }
        } catch (error) {
          rec.fresh = undefined;
          this.#fail(rec, failures.asFailure(error, "ALEPH_E_IMPORT", rec.candidate.manifestFile, "fix the plugin's entry"));
        } finally {
          importing.delete(id);
          this.#options.breadcrumb?.(importing.size > 0 ? "import" : "idle", [...importing]);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(8, queue.length) }, worker));
  }

  /** Loads the given plugins in the assessment's order; members of a `requires` cycle fail instead. */
  async #loadPass(ids: Set<string>): Promise<void> {
    if (ids.size === 0 || !this.#assessment) return;
    const plan = this.#assessment.plan;
    for (const [id, members] of plan.cycles) {
      const rec = this.#records.get(id);
      if (rec && ids.has(id) && !activeInstance(rec)) this.#fail(rec, failures.cycle(members, rec.candidate.manifestFile));
    }
    for (const id of plan.order) {
      const rec = this.#records.get(id);
      if (rec && ids.has(id) && !activeInstance(rec) && rec.state.status !== "disabled" && (rec.fresh || rec.code)) await this.#load(rec);
    }
  }

  async #configFor(rec: PluginRecord, code: LoadedCode, snapshot: ConfigSnapshot): Promise<unknown> {
    const key = rec.candidate.manifest!.configKey;
    const source = sectionSource(snapshot, key);
    if (!code.definition.config) return source.value ?? {};
    const result = await validateSection(code.definition.config, source.value);
    if (result.ok) return result.value;
    const first = result.issues[0]!;
    const path = [...key.split("."), ...(first.path ? first.path.split(".") : [])];
    throw failures.configInvalid(rec.id, key, result.issues, source.file, locateTomlKey(source.text, path));
  }

  async #load(rec: PluginRecord): Promise<void> {
    const manifest = rec.candidate.manifest!;
    const missing = manifest.services.requires.find((service) => !this.registry.bound(service));
    if (missing !== undefined) {
      this.#fail(rec, failures.missingDependency(rec.id, missing, this.#providerStates(missing), rec.candidate.manifestFile));
      return;
    }
    const fresh = rec.fresh;
    rec.fresh = undefined;
    const code = fresh ?? rec.code!;
    const lastGood = rec.code;
    const error = await this.#setup(rec, code);
    if (!error) {
      rec.code = code;
      return;
    }
    // New code that imports but fails its setup: bring the previous code back up.
    if (fresh && lastGood && rec.ranFrom === rec.candidate.realDir) {
      this.#fail(rec, error);
      const rollback = await this.#setup(rec, lastGood);
      if (!rollback && rec.state.status === "active") {
        rec.state.error = redactError(error, this.#redact); // running the previous code; the list shows why the new code is not running
        this.#log.warn("reload failed; the previous code is running again", { plugin: rec.id, code: error.code });
      } else if (rollback) this.#fail(rec, rollback);
      return;
    }
    if (fresh && !rec.code) rec.code = fresh; // keep the imported code so a config or dependency change can retry
    this.#fail(rec, error);
  }

  /** Where each plugin declaring `service` stands, for a dependency failure's reason. */
  #providerStates(service: string): failures.ProviderState[] {
    return [...this.#records.values()]
      .filter((r) => r.candidate.manifest?.services.provides.includes(service))
      .map((p): failures.ProviderState => {
        const error = recordError(p);
        if (p.state.status === "disabled") return { id: p.id, state: "disabled" };
        return error ? { id: p.id, state: "failed", error } : { id: p.id, state: "not active" };
      });
  }

  /** Runs a plugin's setup in a fresh instance; returns the failure, if any. */
  async #setup(rec: PluginRecord, code: ImportedCode): Promise<AlephError | undefined> {
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
      facilities: this.#options.facilities,
    });
    const timeoutMs = snapshot.config.extensions.setup_timeout_ms;
    const started = performance.now();
    this.#options.breadcrumb?.("setup", [rec.id]);
    try {
      await withTimeout(Promise.resolve().then(() => runAsPlugin(rec.id, () => code.definition.setup(instance.ctx), trackAsync(rec))), timeoutMs, `setup of plugin "${rec.id}"`);
      const missing = manifest.services.provides.filter((s) => !instance.provided.has(s));
      if (missing.length > 0) throw failures.servicesNotProvided(rec.id, missing, candidate.manifestFile);
    } catch (error) {
      await instance.dispose().catch(() => undefined);
      if (error instanceof TimeoutError) return failures.setupTimeout(rec.id, error.ms, candidate.manifestFile);
      return failures.setupThrew(rec.id, error, candidate.manifestFile);
    } finally {
      this.#options.breadcrumb?.("idle", []);
    }
    instance.snapshotBindings();
    rec.generation += 1;
    rec.state = { status: "active", instance, running: candidate, loadSeq: ++this.#loadSeq, timings: { importMs: code.importMs, setupMs: since(started) } };
    rec.ranFrom = candidate.realDir;
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
    if (rec.state.status !== "active") return;
    const { instance, error } = rec.state;
    // Not running from here on; a failure recorded while it ran (its newest code is broken) stays.
    rec.state = error ? { status: "failed", error, lastGood: rec.generation } : PENDING;
    try {
      await withTimeout(runAsPlugin(rec.id, () => instance.dispose(), trackAsync(rec)), this.#options.config().config.extensions.setup_timeout_ms, `teardown of plugin "${rec.id}"`);
    } catch (failure) {
      this.#log.error("plugin teardown failed", { plugin: rec.id, error: failure });
      await this.#options.bus.emit("plugin.error", { id: rec.id, event: "plugin.unloaded", message: this.#redact(`teardown failed: ${errorMessage(failure)}`) });
    }
    await this.#options.bus.emit("plugin.unloaded", { id: rec.id, version: instance.manifest.version, reason });
    this.#log.info("plugin unloaded", { plugin: rec.id, reason });
  }

  /**
   * Records a failure and reports it once (the same failure again is not re-announced). A running
   * plugin keeps running with the failure noted; any other becomes failed.
   */
  #fail(rec: PluginRecord, failure: AlephError): void {
    const error = redactError(failure, this.#redact);
    const previous = recordError(rec);
    const repeated = previous?.code === error.code && previous.message === error.message;
    if (rec.state.status === "active") rec.state.error = error;
    else rec.state = { status: "failed", error, ...(rec.generation > 0 ? { lastGood: rec.generation } : {}) };
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
    const out = [...this.#records.values()].map(recordInfo);
    if (this.#assessment) out.push(...losingCopies(this.#assessment.found), ...switchedOffRows(this.#assessment));
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
    const rec = this.#records.get(id);
    return rec ? activeInstance(rec) : undefined;
  }

  /** The definition of an active plugin's running code (the CLI runs its command handlers). */
  definitionOf(id: string): LoadedCode["definition"] | undefined {
    const rec = this.#records.get(id);
    return rec && activeInstance(rec) ? rec.code?.definition : undefined;
  }

  manifestFileOf(id: string): string | undefined {
    return this.#records.get(id)?.candidate.manifestFile;
  }
}
