import type * as Extism from "@extism/extism";

export type ExtismModule = typeof Extism;

let loading: Promise<ExtismModule> | undefined;

/**
 * Loads @extism/extism on first use (a kernel without WASM plugins never pays for it).
 *
 * The SDK imports `node:wasi`, which on Node 20 prints "ExperimentalWarning: WASI is an experimental
 * feature" to stderr the first time it is loaded. We load `node:wasi` first with exactly that one
 * warning filtered out, then the SDK (whose import of `wasi` is then served from the cache). Worker
 * threads started by the SDK run with --disable-warning=ExperimentalWarning (the SDK's default).
 */
export function loadExtism(): Promise<ExtismModule> {
  loading ??= (async () => {
    const original = process.emitWarning;
    process.emitWarning = function (this: unknown, warning: string | Error, ...rest: unknown[]) {
      const first = rest[0] as string | { type?: string } | undefined;
      const type = typeof first === "string" ? first : first?.type;
      const text = typeof warning === "string" ? warning : warning?.message;
      if (type === "ExperimentalWarning" && /^WASI\b/.test(text ?? "")) return;
      return (original as (...args: unknown[]) => void).call(process, warning, ...rest);
    } as typeof process.emitWarning;
    try {
      await import("node:wasi");
    } finally {
      process.emitWarning = original;
    }
    return import("@extism/extism");
  })();
  return loading;
}
