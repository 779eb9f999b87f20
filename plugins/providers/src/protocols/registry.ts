import type { ProtocolInfo } from "@aleph/plugin-sdk";
import { BUILTIN_PROTOCOLS, isBuiltinProtocol } from "./builtin-names.js";
import type { BuiltinProtocolName, Endpoint, ResponsePaths } from "./protocol.js";

/*
 * The protocols a provider may name: the three built-ins, and the custom ones loaded from
 * <root>/protocols/*.yaml (custom-protocols.ts). A custom protocol is a built-in plus overrides of
 * its endpoint (base URL, auth header, headers, body fields, where to read answers).
 */

/** What a custom protocol file changes of the built-in it extends. */
export interface ProtocolOverrides {
  baseUrl?: string;
  model?: string;
  authHeader?: string;
  authPrefix?: string;
  headers: Record<string, string>;
  extraBody: Record<string, unknown>;
  responsePaths?: ResponsePaths;
}

export interface CustomProtocol {
  name: string;
  extends: BuiltinProtocolName;
  file: string;
  overrides: ProtocolOverrides;
}

/** A custom protocol file that did not validate: listed with its error, never installed. */
export interface BrokenProtocol {
  name: string;
  file: string;
  error: { message: string; file: string; line?: number; field?: string };
}

/** A protocol looked up by name: the built-in whose adapter to use and the overrides to apply to the endpoint. */
export interface ProtocolChoice {
  base: BuiltinProtocolName;
  overrides?: ProtocolOverrides;
}

export class ProtocolRegistry {
  #custom = new Map<string, CustomProtocol>();
  #broken: BrokenProtocol[] = [];

  /** Replaces the custom protocols (after the protocols directory changed). */
  setCustom(custom: CustomProtocol[], broken: BrokenProtocol[]): void {
    this.#custom = new Map(custom.map((c) => [c.name, c]));
    this.#broken = broken;
  }

  has(name: string): boolean {
    return isBuiltinProtocol(name) || this.#custom.has(name);
  }

  names(): string[] {
    return [...BUILTIN_PROTOCOLS, ...this.#custom.keys()];
  }

  list(): ProtocolInfo[] {
    return [
      ...BUILTIN_PROTOCOLS.map((name): ProtocolInfo => ({ name, base: name, source: "builtin" })),
      ...[...this.#custom.values()].map((c): ProtocolInfo => ({ name: c.name, base: c.extends, source: c.file })),
      ...this.#broken.map((b): ProtocolInfo => ({ name: b.name, base: "openai", source: b.file, error: b.error })),
    ];
  }

  /** The model a custom protocol names by default, if any. */
  defaultModelOf(name: string): string | undefined {
    return this.#custom.get(name)?.overrides.model;
  }

  /** The broken file that would have defined `name`, for a clearer error than "unknown protocol". */
  brokenDefinitionOf(name: string): BrokenProtocol | undefined {
    return this.#broken.find((b) => b.name === name);
  }

  lookup(name: string): ProtocolChoice | undefined {
    if (isBuiltinProtocol(name)) return { base: name };
    const custom = this.#custom.get(name);
    return custom ? { base: custom.extends, overrides: custom.overrides } : undefined;
  }
}

/** Applies a custom protocol's overrides under a provider's own settings (the provider's win). */
export function applyOverrides(endpoint: Endpoint, overrides: ProtocolOverrides | undefined, providerSetsBaseUrl: boolean): Endpoint {
  if (!overrides) return endpoint;
  return {
    ...endpoint,
    ...(overrides.baseUrl && !providerSetsBaseUrl ? { baseUrl: overrides.baseUrl.replace(/\/+$/, "") } : {}),
    ...(overrides.authHeader !== undefined ? { authHeader: overrides.authHeader } : {}),
    ...(overrides.authPrefix !== undefined ? { authPrefix: overrides.authPrefix } : {}),
    headers: { ...overrides.headers, ...endpoint.headers },
    extraBody: { ...overrides.extraBody, ...endpoint.extraBody },
    ...(overrides.responsePaths ? { responsePaths: overrides.responsePaths } : {}),
  };
}
