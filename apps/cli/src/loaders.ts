import type { PluginLoader } from "@aleph/kernel";
import { loadNodePlugin } from "@aleph/node-host";

/**
 * The loaders of every plugin kind, shared by `aleph start` and one-shot kernels (the kernel loads
 * no plugin code itself). The Node loader is small and every kernel needs it; the WASM host (and
 * Extism behind it) is imported when the first WASM plugin loads, so a kernel without WASM plugins
 * never pays for it at start-up. (`aleph --help` imports neither: main.ts reaches this file only
 * through a command that starts a kernel.)
 */
export function pluginLoaders(): Record<"node" | "wasm", PluginLoader> {
  let wasm: Promise<PluginLoader> | undefined;
  return {
    node: loadNodePlugin,
    wasm: async (candidate, attempt, timeoutMs) => {
      wasm ??= import("@aleph/wasm-host").then((host) => host.createWasmLoader());
      return (await wasm)(candidate, attempt, timeoutMs);
    },
  };
}
