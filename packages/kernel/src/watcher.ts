import { existsSync } from "node:fs";
import { basename, dirname, join, relative, sep } from "node:path";
import { watch, type FSWatcher } from "chokidar";
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

/**
 * Watches the plugin search paths and reports, per plugin directory, that something in it changed
 * — once the directory has been quiet for `debounceMs`, so a burst of writes (a build, a copy)
 * becomes one reload.
 */
export class PluginWatcher {
  #watcher: FSWatcher | undefined;
  #timers = new Map<string, NodeJS.Timeout>();
  #dirs: string[];
  #debounceMs: number;

  constructor(
    searchPaths: PluginSearchPath[],
    debounceMs: number,
    private readonly onChange: (pluginDir: string) => void,
    private readonly log: Logger,
  ) {
    this.#dirs = searchPaths.map((p) => p.dir).filter((dir) => existsSync(dir));
    this.#debounceMs = debounceMs;
    for (const p of searchPaths) if (!this.#dirs.includes(p.dir)) log.debug("search path not watched: it does not exist", { source: p.source, dir: p.dir });
  }

  set debounceMs(ms: number) {
    this.#debounceMs = ms;
  }

  /** Resolves once the initial scan is done, so no event after it is missed. */
  async start(): Promise<void> {
    if (this.#dirs.length === 0) return;
    const watcher = watch(this.#dirs, { ignoreInitial: true, depth: 6, ignored: (path) => isIgnoredPath(path) });
    this.#watcher = watcher;
    watcher.on("all", (_event, path) => this.#touch(path));
    watcher.on("error", (error) => this.log.warn("plugin watcher error", { error: String(error) }));
    await new Promise<void>((resolve) => watcher.once("ready", () => resolve()));
  }

  #touch(path: string): void {
    const dir = pluginDirOf(this.#dirs, path);
    if (!dir) return;
    clearTimeout(this.#timers.get(dir));
    this.#timers.set(
      dir,
      setTimeout(() => {
        this.#timers.delete(dir);
        this.onChange(dir);
      }, this.#debounceMs),
    );
  }

  async close(): Promise<void> {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    await this.#watcher?.close();
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
