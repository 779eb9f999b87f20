import { createRequire, register } from "node:module";
import { sep } from "node:path";
import { pathToFileURL } from "node:url";
import { isPluginDefinition, TimeoutError, withTimeout, type PluginDefinition } from "@aleph/plugin-sdk";
import { importFailure, importTimeout, noDefaultExport } from "./import-failures.js";
import { ModuleGraphs } from "./module-graph.js";
import { isTypeScriptEntry, typeScriptImporter } from "./ts-loader.js";

const require = createRequire(import.meta.url);
let hooksRegistered = false;
let graphs: ModuleGraphs | undefined;

/**
 * Registers the loader hooks (module-hooks.ts) once, lazily: a kernel that only ever loads its
 * bundled plugins once never pays for the hooks thread.
 */
function ensureHooks(): void {
  if (hooksRegistered) return;
  hooksRegistered = true;
  graphs = new ModuleGraphs();
  // Node runs the hooks on its own thread, outside any TypeScript transform: when this file runs
  // from source, the hooks come from the build. A bundle of this file (the aleph CLI) builds
  // module-hooks.ts as a file of its own beside it.
  const hooks = import.meta.url.endsWith(".ts") ? new URL("../dist/module-hooks.js", import.meta.url) : new URL("./module-hooks.js", import.meta.url);
  register(hooks, {
    parentURL: import.meta.url,
    data: { hostParentURL: import.meta.url, graphPort: graphs.hookPort },
    transferList: [graphs.hookPort],
  });
}

/** Forgets CommonJS modules of a plugin, which Node caches by file name whatever the URL query. */
function forgetCommonJs(root: string): void {
  const prefix = root.endsWith(sep) ? root : root + sep;
  for (const key of Object.keys(require.cache)) if (key.startsWith(prefix)) delete require.cache[key];
}

/**
 * CommonJS modules of a plugin now loaded (require() is not seen by the ESM loader hooks); tsx
 * keys the ones it compiled with a `?namespace=` suffix.
 */
function commonJsFiles(root: string): string[] {
  const prefix = root.endsWith(sep) ? root : root + sep;
  return Object.keys(require.cache)
    .filter((key) => key.startsWith(prefix))
    .map((key) => key.replace(/\?.*$/, ""));
}

/** True when an import failed only because @aleph/plugin-sdk did not resolve from the plugin. */
function needsHostSdk(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return e?.code === "ERR_MODULE_NOT_FOUND" && /'@aleph\/plugin-sdk(\/[^']*)?'/.test(e.message ?? "");
}

/**
 * The part of the kernel's PluginCandidate the loader reads (structurally compatible with it, as
 * the kernel passes it to a loader: the entry resolved and confined to the plugin directory).
 */
export interface NodeCandidate {
  /** The plugin directory's real path: the modules of a fresh generation are the ones inside it. */
  realDir: string;
  manifest: { id: string; entry: string };
  /** The entry's real path (the kernel's resolveEntry). */
  entryFile: string;
}

/** A plugin's code, as the host runs it (the kernel's `LoadedCode`). */
export interface LoadedCode {
  definition: PluginDefinition<unknown>;
  /**
   * Real paths of the files this generation imported (entry and every module in the plugin
   * directory it pulled in, dynamic imports included), when the loader recorded them.
   */
  files?: () => ReadonlySet<string>;
}

/** What the host tells a loader about one import (the kernel's `LoadOptions`). */
export interface NodeLoadOptions {
  /**
   * The host watches this plugin: record its module graph (LoadedCode.files) on a first import too
   * when the loader hooks already run. Starting them for it is not worth ~30 ms of start-up (and
   * every later import passing through their thread); reloads always go through them, and record.
   */
  trackFiles?: boolean;
}

/**
 * Imports a Node plugin's entry: the `node` loader of createKernel({ loaders }). `attempt` makes
 * every import after the first a fresh module graph (see module-hooks.ts), whose files are recorded.
 */
export async function loadNodePlugin(candidate: NodeCandidate, attempt: number, timeoutMs: number, options: NodeLoadOptions = {}): Promise<LoadedCode> {
  const manifest = candidate.manifest;
  const realEntry = candidate.entryFile;
  const plainUrl = pathToFileURL(realEntry).href;
  // TypeScript source goes through tsx (ts-loader.ts), imported only for such an entry.
  const importEntry = isTypeScriptEntry(realEntry) ? await typeScriptImporter(realEntry) : (url: string) => import(url);
  let graph: Set<string> | undefined;
  const freshUrl = () => {
    ensureHooks();
    graph = graphs!.track(candidate.realDir, attempt);
    forgetCommonJs(candidate.realDir);
    // base64url: no percent-escapes in the query (see module-hooks.ts).
    return `${plainUrl}?aleph_gen=${attempt}&aleph_root=${Buffer.from(candidate.realDir).toString("base64url")}`;
  };
  let module: Record<string, unknown>;
  try {
    // The first import of a plugin is a plain import: the loader hooks (a thread of their own,
    // ~30 ms to start) are needed only for a reload or for a plugin that relies on the host's SDK
    // (a watched plugin uses them when they already run, to record its module graph).
    const url = attempt > 1 || (options.trackFiles && hooksRegistered) ? freshUrl() : plainUrl;
    module = (await withTimeout(
      importEntry(url).catch((error: unknown) => (attempt === 1 && needsHostSdk(error) ? importEntry(freshUrl()) : Promise.reject(error))),
      timeoutMs,
      `importing ${manifest.entry}`,
    )) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof TimeoutError) {
      throw importTimeout(manifest.id, realEntry, error.message.replace(/^importing \S+ /, ""));
    }
    throw await importFailure(manifest.id, error, realEntry, candidate.realDir);
  }
  let definition = module.default;
  // CommonJS compiled with `exports.default = …` arrives one level deeper.
  if (!isPluginDefinition(definition) && isPluginDefinition((definition as { default?: unknown } | undefined)?.default)) {
    definition = (definition as { default: unknown }).default;
  }
  if (!isPluginDefinition(definition)) {
    throw noDefaultExport(manifest.id, realEntry);
  }
  if (!graph) return { definition };
  const files = graph;
  // The entry itself, whether or not the hooks saw it: tsx on Node 22+ resolves a scoped import's
  // entry without its query before passing it down the chain, so no generation reaches our hook.
  files.add(realEntry);
  for (const file of commonJsFiles(candidate.realDir)) files.add(file);
  return {
    definition,
    files: () => {
      graphs!.drain(); // modules imported since (dynamic imports) join the set
      return files;
    },
  };
}
