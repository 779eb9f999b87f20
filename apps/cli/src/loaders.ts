import type { PluginLoader } from "@aleph/kernel";

/**
 * Loaders for plugin kinds beyond node, shared by `aleph start` and one-shot kernels. The WASM
 * host (and Extism behind it) is imported when the first WASM plugin loads, so a kernel without
 * WASM plugins never pays for it at start-up.
 */
export function pluginLoaders(): Partial<Record<"node" | "wasm", PluginLoader>> {
  let wasm: Promise<PluginLoader> | undefined;
  return {
    wasm: async (candidate, attempt, timeoutMs) => {
      wasm ??= import("@aleph/wasm-host").then((host) => host.createWasmLoader());
      return (await wasm)(candidate, attempt, timeoutMs);
    },
  };
}
