import { existsSync, readdirSync } from "node:fs";
import { basename, dirname, join, relative, sep } from "node:path";
import type { FSWatcher } from "chokidar";
import { loadChokidar } from "./chokidar-lazy.js";
import type { Logger } from "@aleph/plugin-sdk";
import type { PluginSearchPath } from "./paths.js";

/** Paths never worth a reload: dependencies, VCS data, editor swap and backup files. */
export function isIgnoredPath(path: string): boolean {
  const parts = path.split(sep);
  if (parts.includes("node_modules") || parts.includes(".git")) return true;
  const name = basename(path);
  return name.startsWith(".#") || name.endsWith("~") || name.endsWith(".swp") || name.endsWith(".swx") || /^\..*\.tmp$/.test(name);
}

/** The plugin directory a changed path belongs to: the first segment under its search path. */
export function pluginDirOf(searchDirs: string[], path: string): string | undefined {
  for (const root of searchDirs) {
    const rel = relative(root, path);
    if (rel === "" || rel.startsWith("..") || rel.startsWith(sep)) continue;
    return join(root, rel.split(sep)[0]!);
  }
  return undefined;
}

/** The nearest existing ancestor of a path (the root at worst). */
export function existingAncestor(path: string): string {
  let dir = dirname(path);
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/**
 * Watches the plugin search paths and reports, per plugin directory, which paths in it changed
 * — once the directory has been quiet for `debounceMs`, so a burst of writes (a build, a copy)
 * becomes one report. Whether the change matters (a file the plugin loads, or a source it does
 * not) is the host's call. A search path that does not exist yet (`./plugins`, the system directory)
 * is awaited from its nearest existing ancestor and watched from the moment it appears.
 */
export class PluginWatcher {
  /** Set by start(): everything after it creates its watchers synchronously (no await between deciding and storing one). */
  #chokidar: typeof import("chokidar") | undefined;
  #watcher: FSWatcher | undefined;
  #pending: FSWatcher | undefined;
  #timers = new Map<string, NodeJS.Timeout>();
  #changed = new Map<string, Set<string>>();
  #dirs: string[] = [];
  #missing: string[];
  #debounceMs: number;

  constructor(
    searchPaths: PluginSearchPath[],
    debounceMs: number,
    private readonly onChange: (pluginDir: string, paths: string[]) => void,
    private readonly log: Logger,
  ) {
    this.#missing = searchPaths.map((p) => p.dir);
    this.#debounceMs = debounceMs;
  }

  set debounceMs(ms: number) {
    this.#debounceMs = ms;
  }

  /** Resolves once the initial scans are done, so no event after it is missed. */
  async start(): Promise<void> {
    this.#chokidar = await loadChokidar();
    const existing = this.#missing.filter((dir) => existsSync(dir));
    this.#missing = this.#missing.filter((dir) => !existing.includes(dir));
    if (existing.length > 0) await this.#watch(existing);
    if (this.#missing.length > 0) await this.#awaitMissing();
  }

  async #watch(dirs: string[]): Promise<void> {
    this.#dirs.push(...dirs);
    if (this.#watcher) {
      this.#watcher.add(dirs);
      return;
    }
    const watcher = this.#chokidar!.watch(dirs, { ignoreInitial: true, depth: 6, ignored: (path) => isIgnoredPath(path) });
    this.#watcher = watcher;
    watcher.on("all", (_event, path) => this.#touch(path));
    watcher.on("error", (error) => this.log.warn("plugin watcher error", { error: String(error) }));
    await new Promise<void>((resolve) => watcher.once("ready", () => resolve()));
  }

  async #awaitMissing(): Promise<void> {
    const ancestors = [...new Set(this.#missing.map(existingAncestor))];
    const depth = Math.max(...this.#missing.map((dir) => dir.split(sep).length - existingAncestor(dir).split(sep).length)) - 1;
    const onPath = (path: string) => ancestors.includes(path) || this.#missing.some((dir) => dir === path || dir.startsWith(path + sep));
    const pending = this.#chokidar!.watch(ancestors, { ignoreInitial: true, depth, ignored: (path) => !onPath(path) });
    this.#pending = pending;
    pending.on("addDir", (path) => void this.#appeared(path));
    pending.on("error", (error) => this.log.warn("search path watcher error", { error: String(error) }));
    await new Promise<void>((resolve) => pending.once("ready", () => resolve()));
    for (const dir of this.#missing) this.log.debug("search path does not exist yet; watching for it", { dir });
  }

  async #appeared(path: string): Promise<void> {
    if (!this.#missing.includes(path)) return;
    this.#missing = this.#missing.filter((dir) => dir !== path);
    this.log.info("search path appeared; watching it", { dir: path });
    await this.#watch([path]);
    // Whatever was copied in before the watch began is reported now.
    for (const name of readdirSync(path)) this.#touch(join(path, name));
    if (this.#missing.length === 0) {
      await this.#pending?.close();
      this.#pending = undefined;
    }
  }

  #touch(path: string): void {
    const dir = pluginDirOf(this.#dirs, path);
    if (!dir) return;
    const changed = this.#changed.get(dir) ?? new Set<string>();
    changed.add(path);
    this.#changed.set(dir, changed);
    clearTimeout(this.#timers.get(dir));
    this.#timers.set(
      dir,
      setTimeout(() => {
        this.#timers.delete(dir);
        this.#changed.delete(dir);
        this.onChange(dir, [...changed]);
      }, this.#debounceMs),
    );
  }

  async close(): Promise<void> {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    this.#changed.clear();
    await this.#pending?.close();
    await this.#watcher?.close();
    this.#pending = undefined;
    this.#watcher = undefined;
  }
}

/** Watches config.toml and providers.toml; calls back after `debounceMs` of quiet. */
export class ConfigWatcher {
  #watcher: FSWatcher | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly files: string[],
    private readonly debounceMs: number,
    private readonly onChange: () => void,
  ) {}

  async start(): Promise<void> {
    // Watch the directories, not the files: editors replace files by rename, and a file that
    // does not exist yet must be noticed when it is created.
    const dirs = [...new Set(this.files.map((f) => dirname(f)))].filter((d) => existsSync(d));
    if (dirs.length === 0) return;
    const { watch } = await loadChokidar();
    const wanted = new Set(this.files);
    const watcher = watch(dirs, { ignoreInitial: true, depth: 0, ignored: (path) => !dirs.includes(path) && !wanted.has(path) });
    this.#watcher = watcher;
    watcher.on("all", (_event, path) => {
      if (!wanted.has(path)) return;
      clearTimeout(this.#timer);
      this.#timer = setTimeout(() => this.onChange(), this.debounceMs);
    });
    await new Promise<void>((resolve) => watcher.once("ready", () => resolve()));
  }

  async close(): Promise<void> {
    clearTimeout(this.#timer);
    await this.#watcher?.close();
    this.#watcher = undefined;
  }
}
