import type { PluginDefinition, PluginManifest } from "@aleph/plugin-sdk";
import type { PluginCandidate } from "./discovery.js";

/*
 * The contract between the host and a loader of one plugin kind. The kernel loads no plugin code
 * itself: `createKernel({ loaders: { node, wasm } })` is given them (@aleph/node-host's
 * loadNodePlugin, @aleph/wasm-host's createWasmLoader()); a plugin of a kind without a loader fails
 * with ALEPH_E_NO_LOADER. Plugins given in memory (InlinePlugin) have their code and need none.
 */

/** A plugin's code, as the host runs it. */
export interface LoadedCode {
  definition: PluginDefinition<unknown>;
  /**
   * Real paths of the files this generation imported (entry and every module in the plugin
   * directory it pulled in, dynamic imports included), when the loader recorded them. The host
   * reloads a running plugin only for a change to one of them (reload-triggers.ts).
   */
  files?: () => ReadonlySet<string>;
}

/** What the host tells a loader about one import. */
export interface LoadOptions {
  /** The host watches this plugin: record the files it imports (LoadedCode.files) when that is cheap. */
  trackFiles?: boolean;
}

/** A candidate as a loader receives it: a valid manifest, and its entry checked (resolveEntry, entry.ts). */
export type LoadableCandidate = PluginCandidate & { manifest: PluginManifest; entryFile: string };

/**
 * Loads a plugin's code for its kind. `attempt` counts the imports of this plugin (1 first): a
 * later one must bring fresh code from disk.
 */
export type PluginLoader = (candidate: LoadableCandidate, attempt: number, timeoutMs: number, options?: LoadOptions) => Promise<LoadedCode>;
