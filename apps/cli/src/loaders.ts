import type { PluginLoader } from "@aleph/kernel";
import { createWasmLoader } from "@aleph/wasm-host";

/**
 * Loaders for plugin kinds beyond node, shared by `aleph start` and one-shot kernels. The WASM
 * host imports Extism only when the first WASM plugin loads.
 */
export function pluginLoaders(): Partial<Record<"node" | "wasm", PluginLoader>> {
  return { wasm: createWasmLoader() };
}
