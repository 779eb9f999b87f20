import type { BuiltinProtocolName } from "./protocol.js";

/** The built-in protocols' names (their adapters are in builtins.ts, loaded on first use). */
export const BUILTIN_PROTOCOLS: readonly BuiltinProtocolName[] = ["anthropic", "openai", "ollama"];

export function isBuiltinProtocol(name: string): name is BuiltinProtocolName {
  return (BUILTIN_PROTOCOLS as readonly string[]).includes(name);
}
