import { existsSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve, sep } from "node:path";
import type { FSWatcher } from "chokidar";
import { loadChokidar } from "./chokidar-lazy.js";
import { AlephError, type Logger, type WatchHandle } from "@aleph/plugin-sdk";
import { existingAncestor, isIgnoredPath } from "./watcher.js";
import { trackScans, type ScanWait } from "./chokidar-scans.js";

/** One `ctx.watch` registration as the service sees it. */
export interface WatchRequest {
  /** The plugin that asked (for the log). */
  owner: string;
  /** Absolute, normalized paths: files or directories, existing or not. */
  paths: readonly string[];
  /** Quiet time before `handler` runs; default: the service's. */
  debounceMs?: number;
  /** Gets the changed paths; must not throw (the plugin context reports its plugin's errors). */
  handler: (paths: string[]) => Promise<void>;
}

export interface WatchServiceOptions {
  /** Whether the kernel watches now (`--no-watch`, `[extensions] hot_reload`, a kernel started for one command). */
  enabled: () => boolean;
  /** `[extensions] debounce_ms`, read at each change so a config edit applies at once. */
  debounceMs: () => number;
  log: Logger;
}

interface Subscription {
  request: WatchRequest;
  pending: Set<string>;
  timer: NodeJS.Timeout | undefined;
  running: boolean;
  /** A batch became due while the handler ran: run again when it returns. */
  due: boolean;
  disposed: boolean;
}

/** `child` is strictly inside `parent`. */
function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel !== "" && rel !== ".." && !rel.startsWith(".." + sep) && !isAbsolute(rel);
}

/**
 * Where chokidar must start to see `target`: the target itself when it exists, else its nearest
 * existing ancestor, whose listing shows the target appearing (the service's filter keeps chokidar
 * from descending anywhere but toward the target). Never a missing path: chokidar watches one
 * through its parent, set up after its `ready` (and after the scan a later add() waits for), so a
 * target created right after the watch was ready went unseen.
 */
function rootFor(target: string): string {
  return existsSync(target) ? target : existingAncestor(target);
}

/** Past this many roots nobody wants any more (and more than are wanted), chokidar is restarted without them. */
const STALE_ROOTS = 16;

/** A running chokidar instance. */
interface Instance {
  watcher: FSWatcher;
  /** Waits for the scan of paths added to it; undefined when this chokidar cannot tell (then growing restarts it). */
  scanned: ScanWait | undefined;
}

/**
 * The kernel's one file watcher for plugins (`ctx.watch`): every plugin's watches share a single
 * chokidar instance, which follows the union of what is watched. A change is reported to each
 * registration whose paths hold it, once the registration has been quiet for its debounce; calls
 * of one handler never overlap (a batch that comes due meanwhile runs when the handler returns).
 * While the kernel does not watch, chokidar is closed and no handler is called; registrations
 * stay, and are watched again when watching is turned back on.
 *
 * The instance is not restarted when registrations come and go, so the watches of other plugins
 * never lapse: new paths are added to it, and paths nobody wants any more stay watched (chokidar's
 * unwatch() would also stop what another registration still watches below them) — their changes
 * simply reach no handler, and a registration that wants them again reuses them. Only when such
 * stale paths pile up is chokidar restarted on the wanted ones; it is closed once nothing is wanted.
 */
export class WatchService {
  #options: WatchServiceOptions;
  #subscriptions = new Set<Subscription>();
  #current: Instance | undefined;
  /** The paths the current chokidar instance was started on or given since, wanted or stale. */
  #roots: string[] = [];
  /**
   * The registered paths the current instance was given, including those of registrations since
   * disposed whose roots it still watches: its filter keeps following them, so a stale root is
   * still complete (a directory made there meanwhile is watched) when a registration reuses it.
   */
  #covered = new Set<string>();
  /** What the filter accepts: `#covered` and every live registration's paths (cached). */
  #accepted: string[] | undefined;
  #starts = 0;
  #chain: Promise<void> = Promise.resolve();
  #queued: Promise<void> | undefined;
  #closed = false;

  constructor(options: WatchServiceOptions) {
    this.#options = options;
  }

  /** Whether handlers are called now. */
  get watching(): boolean {
    return !this.#closed && this.#options.enabled();
  }

  /** The paths chokidar watches now, wanted or stale (tests). */
  get roots(): readonly string[] {
    return this.#roots;
  }

  /** How many chokidar instances were started so far (tests). */
  get starts(): number {
    return this.#starts;
  }

  /** Resolves when every change of the watched set asked for so far is in place (tests). */
  settled(): Promise<void> {
    return this.#queued ?? this.#chain;
  }

  /** Registers a watch; its `ready` resolves once chokidar sees its paths (at once when not watching). */
  subscribe(request: WatchRequest): WatchHandle {
    const sub: Subscription = { request, pending: new Set(), timer: undefined, running: false, due: false, disposed: false };
    this.#subscriptions.add(sub);
    // From now on chokidar's filter accepts the paths, before they are added to it.
    this.#accepted = undefined;
    const ready = this.watching ? this.#resync() : Promise.resolve();
    return {
      ready,
      dispose: () => {
        if (sub.disposed) return;
        sub.disposed = true;
        clearTimeout(sub.timer);
        sub.pending.clear();
        this.#subscriptions.delete(sub);
        this.#accepted = undefined;
        // Not awaited: the handler is already cut off, and whatever chokidar does about it (mostly
        // nothing; closing when nothing is watched) need not hold up the plugin's unload.
        void this.#resync();
      },
    };
  }

  /** Re-reads whether the kernel watches (after a config change) and starts or stops chokidar. */
  refresh(): Promise<void> {
    if (!this.watching) this.#cancelPending();
    return this.#resync();
  }

  /** Stops watching for good; registrations made later are never watched. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#cancelPending();
    await this.#resync();
  }

  #cancelPending(): void {
    for (const sub of this.#subscriptions) {
      clearTimeout(sub.timer);
      sub.timer = undefined;
      sub.pending.clear();
    }
  }

  /** Brings chokidar in line with the registrations; requests made while one waits share it. */
  #resync(): Promise<void> {
    if (this.#queued) return this.#queued;
    const run = this.#chain.then(() => {
      this.#queued = undefined;
      return this.#sync();
    });
    this.#queued = run;
    this.#chain = run.catch((error: unknown) => this.#options.log.warn("plugin file watcher could not be updated", { error }));
    return run;
  }

  async #sync(): Promise<void> {
    const wanted = this.watching ? this.#wantedRoots() : [];
    const current = this.#current;
    if (wanted.length === 0) {
      // Nothing wanted (or not watching): hold no handles.
      this.#current = undefined;
      this.#roots = [];
      this.#follow(new Set());
      await current?.watcher.close();
      return;
    }
    const added = wanted.filter((root) => !this.#roots.includes(root));
    const stale = this.#roots.filter((root) => !wanted.includes(root));
    const tooStale = stale.length > STALE_ROOTS && stale.length > wanted.length;
    if (current && !tooStale && (added.length === 0 || current.scanned)) {
      // Keep the instance. The filter must accept the new paths before chokidar looks at them.
      this.#follow(new Set([...this.#covered, ...this.#targets()]));
      if (added.length === 0) return;
      this.#roots = [...this.#roots, ...added].sort();
      current.watcher.add(added);
      await current.scanned!(added);
      return;
    }
    // A new instance on the wanted set, started before the old one closes: a change in a path both
    // watch is seen by at least one of them (twice at worst, which the debounce merges).
    this.#current = undefined;
    this.#roots = [];
    this.#follow(this.#targets());
    try {
      this.#current = await this.#start(wanted);
      this.#roots = wanted;
    } finally {
      await current?.watcher.close();
    }
  }

  #follow(targets: Set<string>): void {
    this.#covered = targets;
    this.#accepted = undefined;
  }

  /**
   * A start path for every registered path. Nested ones are kept: a path below another start
   * path may be one chokidar's filter skipped so far (beside the way to a missing path).
   */
  #wantedRoots(): string[] {
    return [...new Set([...this.#targets()].map(rootFor))].sort();
  }

  #targets(): Set<string> {
    const targets = new Set<string>();
    for (const sub of this.#subscriptions) for (const path of sub.request.paths) targets.add(path);
    return targets;
  }

  async #start(roots: string[]): Promise<Instance> {
    // The filter keeps chokidar to the registered paths, what lies below them (less dependencies,
    // VCS data and editor swap files), and the directories leading to a path not there yet.
    // `watch(roots, options)` is `new FSWatcher(options).add(roots)`; done by hand so the scans are
    // tracked from the start.
    const { FSWatcher } = await loadChokidar();
    const watcher = new FSWatcher({ ignoreInitial: true, ignored: (path) => !this.#relevant(path) });
    const scanned = trackScans(watcher);
    watcher.on("all", (_event, path) => this.#changed(path));
    watcher.on("error", (error) => this.#options.log.warn("plugin file watcher error", { error: String(error) }));
    const ready = new Promise<void>((resolve) => watcher.once("ready", () => resolve()));
    this.#starts += 1;
    watcher.add(roots);
    await ready;
    return { watcher, scanned };
  }

  #relevant(path: string): boolean {
    this.#accepted ??= [...new Set([...this.#covered, ...this.#targets()])];
    for (const target of this.#accepted) {
      if (path === target || isInside(target, path)) return true;
      if (isInside(path, target) && !isIgnoredPath(relative(target, path))) return true;
    }
    return false;
  }

  #changed(path: string): void {
    if (!this.watching) return;
    for (const sub of this.#subscriptions) {
      const mine = sub.request.paths.some((target) => path === target || (isInside(path, target) && !isIgnoredPath(relative(target, path))));
      if (mine) this.#touch(sub, path);
    }
  }

  #touch(sub: Subscription, path: string): void {
    sub.pending.add(path);
    clearTimeout(sub.timer);
    sub.timer = setTimeout(() => this.#fire(sub), sub.request.debounceMs ?? this.#options.debounceMs());
  }

  #fire(sub: Subscription): void {
    sub.timer = undefined;
    if (sub.disposed || !this.watching || sub.pending.size === 0) return;
    if (sub.running) {
      sub.due = true;
      return;
    }
    const batch = [...sub.pending].sort();
    sub.pending.clear();
    sub.running = true;
    void sub.request
      .handler(batch)
      .catch((error: unknown) => this.#options.log.error("watch handler failed", { plugin: sub.request.owner, error }))
      .finally(() => {
        sub.running = false;
        if (sub.due) {
          sub.due = false;
          this.#fire(sub);
        }
      });
  }
}

/**
 * The absolute paths a `ctx.watch` call names: relative ones are relative to the state root and
 * must stay inside it (an absolute path may point anywhere). Bad input is refused, saying how to fix it.
 */
export function watchTargets(paths: unknown, root: string, plugin: string): string[] {
  const list = typeof paths === "string" ? [paths] : Array.isArray(paths) ? (paths as unknown[]) : undefined;
  if (!list || list.length === 0) {
    throw new AlephError("ALEPH_E_USAGE", `plugin "${plugin}" called ctx.watch without paths`, { fix: 'pass a path or an array of paths, e.g. ctx.watch("skills", handler)' });
  }
  return list.map((path) => {
    if (typeof path !== "string" || path.length === 0 || path.includes("\0")) {
      throw new AlephError("ALEPH_E_USAGE", `plugin "${plugin}" asked ctx.watch for an invalid path ${JSON.stringify(path)}`, {
        fix: "give non-empty path strings: absolute, or relative to the state root",
      });
    }
    const absolute = resolve(root, path);
    if (!isAbsolute(path) && absolute !== root && !isInside(absolute, root)) {
      throw new AlephError("ALEPH_E_USAGE", `plugin "${plugin}" asked ctx.watch for "${path}", which leaves the state root`, {
        fix: "relative paths are relative to the state root; give an absolute path to watch elsewhere",
      });
    }
    return absolute;
  });
}

/** A `debounceMs` option, checked like `[extensions] debounce_ms`. */
export function watchDebounce(ms: unknown, plugin: string): number | undefined {
  if (ms === undefined) return undefined;
  if (typeof ms !== "number" || !Number.isInteger(ms) || ms < 50 || ms > 60_000) {
    throw new AlephError("ALEPH_E_USAGE", `plugin "${plugin}" gave ctx.watch debounceMs ${JSON.stringify(ms)}: it must be a whole number of milliseconds from 50 to 60000`, {
      fix: "give 50 or more (below 50, chokidar may drop a second save of a file), or leave it out for [extensions] debounce_ms",
    });
  }
  return ms;
}
