import type { AlephErrorCode } from "./errors.js";
import type { Disposable } from "./disposable.js";
import { createServiceRef } from "./service-ref.js";

// The `identity` service: the agent's soul, layered (session > project > agent > global > default)
// with the provenance of every value.

/** A frontmatter scalar, as the YAML subset of soul files reads it. */
export type SoulScalar = string | number | boolean | null;

/** A frontmatter value: a scalar or a flat list of scalars (`- item` lines or `[a, b]`). */
export type SoulValue = SoulScalar | SoulScalar[];

/** The identity layers, highest first: a higher layer wins, key by key and section by section. */
export type IdentityLayerName = "session" | "project" | "agent" | "global" | "default";

/**
 * Where a resolved value comes from. `path` is a file path for the file layers and a label for
 * the others (`session:<key>`, `builtin:default`); `line` is 1-based in that file or text.
 */
export interface SoulSource {
  layer: IdentityLayerName;
  path: string;
  line: number;
}

/** A problem with one layer, JSON-serialisable so the identity service can return it over RPC. */
export interface IdentityIssue {
  code: AlephErrorCode;
  message: string;
  fix?: string;
  file?: string;
  line?: number;
}

/** What became of one layer during a resolution. */
export interface IdentityLayerReport {
  layer: IdentityLayerName;
  path: string;
  /** The file (or override) exists. An empty one is present and contributes nothing. */
  present: boolean;
  /** Set when the layer could not be used: it was skipped and the layers below filled in. */
  error?: IdentityIssue;
}

/** A frontmatter value and the layer it came from. */
export interface ResolvedValue {
  value: SoulValue;
  source: SoulSource;
}

/** A body section and the layer it came from. */
export interface ResolvedSection {
  title: string;
  level: number;
  body: string;
  source: SoulSource;
}

/** The merged identity with the provenance of every value. */
export interface IdentityResolution {
  /** Null-prototype record in render order. A key set to null by its winning layer is cleared. */
  frontmatter: Record<string, ResolvedValue>;
  /** In render order: preamble, the default's sections, then the others by first appearance. */
  sections: ResolvedSection[];
  /** Every layer, highest first. */
  layers: IdentityLayerReport[];
  /** The errors of the skipped layers (also on their reports); empty when every layer was usable. */
  errors: IdentityIssue[];
}


export interface IdentityQuery {
  agentId: string;
  /** Where to look for the project's `.soul/identity.md` (walking up); default: the kernel's working directory. */
  cwd?: string;
  /** Applies that session's override, when one is set. */
  sessionKey?: string;
}

/** The `identity` service. */
export interface IdentityService {
  resolve(query: IdentityQuery): Promise<IdentityResolution>;
  /** The resolved soul as Markdown, for the system prompt. */
  render(query: IdentityQuery): Promise<string>;
  /**
   * Sets (or, with null, clears) a session's soul override. It lasts until cleared or the session is
   * deleted — across restarts (the workspace plugin keeps it in data/workspace/session-overrides.json).
   * Disposing the result clears it too, when it is still the one set.
   */
  setSessionOverride(sessionKey: string, soul: string | null): Disposable;
}

export const identityRef = createServiceRef<IdentityService>("identity");
