import type { BuiltinProtocolName, ProtocolAdapter } from "./protocol.js";

/*
 * The built-in adapters, each imported the first time a provider uses it: `aleph start` pays for
 * none of them, and a user of one protocol never loads the other two.
 */

const loaded = new Map<BuiltinProtocolName, Promise<ProtocolAdapter>>();

export function loadBuiltinAdapter(name: BuiltinProtocolName): Promise<ProtocolAdapter> {
  let adapter = loaded.get(name);
  if (!adapter) {
    adapter = importAdapter(name);
    loaded.set(name, adapter);
  }
  return adapter;
}

async function importAdapter(name: BuiltinProtocolName): Promise<ProtocolAdapter> {
  switch (name) {
    case "anthropic":
      return (await import("./anthropic.js")).anthropicAdapter;
    case "openai":
      return (await import("./openai.js")).openaiAdapter;
    case "ollama":
      return (await import("./ollama.js")).ollamaAdapter;
  }
}
