import { AlephError, type FactInput } from "@aleph/plugin-sdk";

/*
 * The lines of `aleph memory import`: one JSON object per line. Each line is checked on its own;
 * a bad one is reported with its number and skipped, and nothing else is lost.
 */

export interface ImportLine {
  line: number;
  input: FactInput;
}

export interface ParsedImport {
  facts: ImportLine[];
  skipped: { line: number; error: string }[];
  lines: number;
}

const KNOWN = new Set(["text", "agent", "scope", "tags", "source", "created_at", "category", "importance", "confidence", "pinned", "evergreen", "expires_at"]);
/** Written by `memory export` for the record, not read back: a re-imported fact gets its own id. */
const EXPORT_ONLY = new Set(["id", "sources", "invalidated_at"]);

function time(value: unknown, field: string): number {
  if (typeof value === "number" && Number.isFinite(value) && value >= 0) return value;
  if (typeof value === "string") {
    const ms = Date.parse(value);
    if (Number.isFinite(ms)) return ms;
  }
  throw new Error(`${field} is not a time: ISO 8601 text or epoch milliseconds`);
}

function unit(value: unknown, field: string): number {
  if (typeof value === "number" && value >= 0 && value <= 1) return value;
  throw new Error(`${field} is a number from 0 to 1`);
}

/** One line's fact, or an Error saying what is wrong with it. */
export function parseImportLine(text: string): FactInput {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`not JSON (${(error as Error).message})`);
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) throw new Error("not a JSON object");
  const o = value as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => !KNOWN.has(k) && !EXPORT_ONLY.has(k));
  if (o.invalidated_at !== undefined) throw new Error("a forgotten fact (exported with --include-forgotten): not imported");
  if (unknown.length > 0) throw new Error(`unknown field ${unknown.map((k) => `"${k}"`).join(", ")} (known: ${[...KNOWN].join(", ")})`);
  if (typeof o.text !== "string" || o.text.trim().length === 0) throw new Error('"text" is missing or empty');
  const str = (k: string) => {
    if (o[k] === undefined) return undefined;
    if (typeof o[k] !== "string" || (o[k] as string).length === 0) throw new Error(`"${k}" is a non-empty string`);
    return o[k] as string;
  };
  const agent = str("agent") ?? "main";
  if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(agent)) throw new Error(`"agent" "${agent}" is not an agent id`);
  if (o.tags !== undefined && (!Array.isArray(o.tags) || o.tags.some((t) => typeof t !== "string"))) throw new Error('"tags" is a list of strings');
  for (const flag of ["pinned", "evergreen"]) if (o[flag] !== undefined && typeof o[flag] !== "boolean") throw new Error(`"${flag}" is true or false`);
  const scope = str("scope");
  const source = str("source");
  const category = str("category");
  return {
    agentId: agent,
    text: o.text,
    source: source ?? "import",
    ...(scope ? { scope } : {}),
    ...(category ? { category } : {}),
    ...(o.tags ? { tags: o.tags as string[] } : {}),
    ...(o.created_at !== undefined ? { createdAt: time(o.created_at, '"created_at"') } : {}),
    ...(o.expires_at !== undefined ? { expiresAt: time(o.expires_at, '"expires_at"') } : {}),
    ...(o.importance !== undefined ? { importance: unit(o.importance, '"importance"') } : {}),
    ...(o.confidence !== undefined ? { confidence: unit(o.confidence, '"confidence"') } : {}),
    ...(o.pinned !== undefined ? { pinned: o.pinned as boolean } : {}),
    ...(o.evergreen !== undefined ? { evergreen: o.evergreen as boolean } : {}),
  };
}

export function parseImport(text: string, source: string): ParsedImport {
  const facts: ImportLine[] = [];
  const skipped: { line: number; error: string }[] = [];
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  lines.forEach((raw, i) => {
    if (raw.trim() === "") return;
    try {
      facts.push({ line: i + 1, input: parseImportLine(raw) });
    } catch (error) {
      skipped.push({ line: i + 1, error: (error as Error).message });
    }
  });
  if (facts.length === 0 && skipped.length === 0) throw new AlephError("ALEPH_E_USAGE", `${source} holds no facts`, { file: source, fix: 'one JSON object per line, e.g. {"text": "The user likes tea"}' });
  return { facts, skipped, lines: lines.filter((l) => l.trim() !== "").length };
}

/** A fact as a line `memory import` reads back (every field kept). */
export function exportLine(fact: import("@aleph/plugin-sdk").Fact): string {
  return JSON.stringify({
    text: fact.text,
    agent: fact.agentId,
    scope: fact.scope,
    category: fact.category,
    tags: fact.tags,
    importance: fact.importance,
    confidence: fact.confidence,
    pinned: fact.pinned,
    evergreen: fact.evergreen,
    source: fact.sources[0] ?? "export",
    created_at: new Date(fact.createdAt).toISOString(),
    ...(fact.expiresAt !== null ? { expires_at: new Date(fact.expiresAt).toISOString() } : {}),
    // Not read by import (a re-import is a new fact with its own id): kept for the record.
    id: fact.id,
    sources: fact.sources,
    ...(fact.invalidatedAt !== null ? { invalidated_at: new Date(fact.invalidatedAt).toISOString() } : {}),
  });
}
