import type { IdentityIssue, IdentityLayerName, SoulValue } from "@aleph/plugin-sdk";

// The result types are the identity service's contract and live in the SDK.
export type {
  SoulScalar,
  SoulValue,
  IdentityLayerName,
  SoulSource,
  IdentityIssue,
  IdentityLayerReport,
  ResolvedValue,
  ResolvedSection,
  IdentityResolution,
} from "@aleph/plugin-sdk";

/** The identity layers, highest first: a higher layer wins, key by key and section by section. */
export const IDENTITY_LAYERS: readonly IdentityLayerName[] = ["session", "project", "agent", "global", "default"];

/** One frontmatter key of one parsed file. */
export interface FrontmatterEntry {
  value: SoulValue;
  line: number;
}

/**
 * One section of a soul body: the text under an ATX heading up to the next heading. The
 * preamble (text before the first heading) is the section with `level` 0 and `title` "".
 */
export interface SoulSection {
  title: string;
  level: number;
  /** The text under the heading, without leading and trailing blank lines; LF line ends. */
  body: string;
  /** Line of the heading (the preamble: of its first non-blank line). */
  line: number;
}

/** A soul file as parsed: its frontmatter keys and its sections, in file order. */
export interface ParsedSoul {
  file: string;
  /** Null-prototype record: any key a file sets, `__proto__` included, is just a key. */
  frontmatter: Record<string, FrontmatterEntry>;
  sections: SoulSection[];
}
