import type { PluginLoader } from "@aleph/kernel";

/** Loaders for plugin kinds beyond node, shared by `aleph start` and one-shot kernels. */
export function pluginLoaders(): Partial<Record<"node" | "wasm", PluginLoader>> {
  return {};
}
