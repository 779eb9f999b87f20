import { AlephError, parseSessionKey, type SessionInfo, type SessionMessage } from "@aleph/plugin-sdk";
import { checkCount, checkMessageInput } from "./messages.js";

/*
 * The session export format (JSONL, one JSON value per line):
 *
 *   {"type":"session","version":1,"key":"agent:main:main","createdAt":…,"updatedAt":…,"lastSeq":…,"lastCompaction":…|null}
 *   {"type":"message","message":{"seq":1,"ts":…,"role":"user","content":"hi","tokens":5}}
 *   …
 *   {"type":"compacted","compactedAt":…,"message":{…}}   messages a compaction replaced (kept aside)
 *
 * Import checks every line before anything is written and names the line of the first problem.
 */

export const EXPORT_FORMAT_VERSION = 1;

export interface SessionExportHeader {
  type: "session";
  version: number;
  key: string;
  createdAt: number;
  updatedAt: number;
  lastSeq: number;
  lastCompaction: number | null;
}

/** A message a compaction replaced, as kept in session_compacted_messages. */
export interface CompactedMessage {
  compactedAt: number;
  message: SessionMessage;
}

export interface ParsedSessionExport {
  header: SessionExportHeader;
  messages: SessionMessage[];
  compacted: CompactedMessage[];
}

export function formatSessionExport(info: SessionInfo, messages: SessionMessage[], compacted: CompactedMessage[]): string {
  const header: SessionExportHeader = {
    type: "session",
    version: EXPORT_FORMAT_VERSION,
    key: info.key,
    createdAt: info.createdAt,
    updatedAt: info.updatedAt,
    lastSeq: info.lastSeq,
    lastCompaction: info.lastCompaction,
  };
  const lines = [JSON.stringify(header)];
  for (const message of messages) lines.push(JSON.stringify({ type: "message", message }));
  for (const { compactedAt, message } of compacted) lines.push(JSON.stringify({ type: "compacted", compactedAt, message }));
  return `${lines.join("\n")}\n`;
}

function bad(line: number, message: string, fix: string): AlephError {
  return new AlephError("ALEPH_E_USAGE", `session import, line ${line}: ${message}`, { fix, line });
}

function parseLine(text: string, line: number): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new AlephError("ALEPH_E_JSON", `session import, line ${line}: not valid JSON (${(error as Error).message})`, {
      line,
      fix: "the file must be `aleph sessions export` output: one JSON object per line",
    });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw bad(line, "expected a JSON object", "one JSON object per line");
  return value as Record<string, unknown>;
}

function parseHeader(record: Record<string, unknown>): SessionExportHeader {
  if (record.type !== "session") throw bad(1, `the first line must be the session header ({"type":"session",…}), got type ${JSON.stringify(record.type)}`, "export the session with `aleph sessions export`");
  if (record.version !== EXPORT_FORMAT_VERSION) {
    throw bad(1, `unsupported export version ${JSON.stringify(record.version)} (this Aleph reads version ${EXPORT_FORMAT_VERSION})`, "export it again with this Aleph, or upgrade");
  }
  if (typeof record.key !== "string") throw bad(1, "the header has no key", 'add "key": "<session key>"');
  try {
    parseSessionKey(record.key);
  } catch (error) {
    const { code, message, fix } = error as AlephError;
    throw new AlephError(code, `session import, line 1: ${message}`, { line: 1, ...(fix ? { fix } : {}) });
  }
  const lastCompaction = record.lastCompaction ?? null;
  return {
    type: "session",
    version: EXPORT_FORMAT_VERSION,
    key: record.key,
    createdAt: checkCount("createdAt", record.createdAt, "line 1"),
    updatedAt: checkCount("updatedAt", record.updatedAt, "line 1"),
    lastSeq: checkCount("lastSeq", record.lastSeq ?? 0, "line 1"),
    lastCompaction: lastCompaction === null ? null : checkCount("lastCompaction", lastCompaction, "line 1"),
  };
}

function parseSummaryOf(value: unknown, where: string): SessionMessage["summaryOf"] {
  if (typeof value !== "object" || value === null) throw new AlephError("ALEPH_E_USAGE", `${where}: summaryOf must be { from, to, count }`, { fix: "keep summaryOf as exported" });
  const { from, to, count } = value as Record<string, unknown>;
  return { from: checkCount("summaryOf.from", from, where), to: checkCount("summaryOf.to", to, where), count: checkCount("summaryOf.count", count, where) };
}

/** Parses `export` output; throws on the first bad line with its number. */
export function parseSessionExport(text: unknown): ParsedSessionExport {
  if (typeof text !== "string") throw new AlephError("ALEPH_E_USAGE", "import needs the JSONL text of an export", { fix: "pass the file's contents" });
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  if (lines.length === 0) throw bad(1, "the file is empty", "export the session with `aleph sessions export`");
  const header = parseHeader(parseLine(lines[0]!, 1));
  const messages: SessionMessage[] = [];
  const compacted: CompactedMessage[] = [];
  const ids = new Set<string>();
  let lastSeq = 0;
  for (let i = 1; i < lines.length; i++) {
    const line = i + 1;
    const record = parseLine(lines[i]!, line);
    if ((record.type !== "message" && record.type !== "compacted") || typeof record.message !== "object" || record.message === null) {
      throw bad(line, 'expected {"type":"message","message":{…}} or {"type":"compacted","compactedAt":…,"message":{…}}', "keep the lines as exported");
    }
    const where = `session import, line ${line}`;
    const message = parseMessage(record.message as Record<string, unknown>, where);
    if (message.id !== undefined) {
      if (ids.has(message.id)) throw bad(line, `the idempotency id "${message.id}" appears twice`, "keep each id once");
      ids.add(message.id);
    }
    if (record.type === "compacted") {
      compacted.push({ compactedAt: checkCount("compactedAt", record.compactedAt, where), message });
      continue;
    }
    if (message.seq <= lastSeq) throw bad(line, `seq ${message.seq} does not follow seq ${lastSeq}`, "messages must be in increasing seq order, as exported");
    lastSeq = message.seq;
    messages.push(message);
  }
  if (header.lastSeq < lastSeq) header.lastSeq = lastSeq;
  return { header, messages, compacted };
}

/** One stored message of an export: the fields append takes, plus seq, ts, tokens and summaryOf. */
function parseMessage(record: Record<string, unknown>, where: string): SessionMessage {
  const { seq, ts, tokens, summaryOf, ...input } = record;
  const checked = checkMessageInput({ ...input, tokens: tokens ?? 0 }, where);
  const message: SessionMessage = { ...checked, seq: checkCount("seq", seq, where), ts: checkCount("ts", ts, where), tokens: checked.tokens ?? 0 };
  if (message.seq < 1) throw new AlephError("ALEPH_E_USAGE", `${where}: seq must be 1 or more`, { fix: "keep the seqs as exported" });
  if (summaryOf !== undefined) message.summaryOf = parseSummaryOf(summaryOf, where);
  return message;
}
