import { createServiceRef } from "./service-ref.js";
import type { SessionKeyKind } from "./session-key.js";

/*
 * The `sessions` service contract: conversation sessions persisted in `<root>/sessions.db`,
 * named by hierarchical session keys (see session-key.ts). Provided by the bundled `sessions`
 * plugin, which also provides `subagents` (the SessionCoordinator) below.
 *
 * Outside readers can rely on the documented read-only views of sessions.db:
 *   sessions(session_key TEXT, messages TEXT, created_at INTEGER, updated_at INTEGER,
 *            message_count INTEGER, token_count INTEGER)
 *   session_metadata(session_key TEXT, agent_id TEXT, channel TEXT, last_compaction INTEGER)
 * where `messages` is the JSON array of the session's SessionMessage objects, in seq order.
 */

/** Who said it. `tool` carries a tool result; `system` instructions and compaction summaries. */
export type SessionRole = "system" | "user" | "assistant" | "tool";
export const SESSION_ROLES: readonly SessionRole[] = ["system", "user", "assistant", "tool"];

/** A message as appended. Everything in it must be JSON (checked strictly, see toJsonText). */
export interface SessionMessageInput {
  role: SessionRole;
  /** A string for plain text, or any JSON value (an array of content parts, a tool result). */
  content: unknown;
  /** The tool or participant name, when the role needs one. */
  name?: string;
  /**
   * Idempotency id, unique within the session: appending a message whose id is already stored
   * returns the stored message instead of writing it twice (a channel re-delivering an update).
   */
  id?: string;
  /** Tokens of this message when the caller knows them (provider usage); counted otherwise. */
  tokens?: number;
  /** Extra JSON kept with the message (tool-call ids, provider metadata). */
  meta?: Record<string, unknown>;
}

/** A stored message: one element of the `messages` JSON array. */
export interface SessionMessage extends SessionMessageInput {
  /** Position in the session: 1, 2, 3… never reused. A compaction summary takes the seq of the last message it replaced. */
  seq: number;
  /** When it was appended, in milliseconds since the epoch. */
  ts: number;
  tokens: number;
  /** Set on a compaction summary: the seqs it replaced (inclusive) and how many messages that was. */
  summaryOf?: { from: number; to: number; count: number };
}

/** A session's header (everything but its messages). */
export interface SessionInfo {
  key: string;
  /**
   * The session's stable, file-name-safe id (`s<row>-<createdAt>`): runtime artifacts of the
   * session are named by it (agents/<agent>/sessions/<id>.jsonl). A key that starts afresh after
   * `archive` gets a new one.
   */
  id: string;
  kind: SessionKeyKind;
  /** The agent the session belongs to (a sub-agent session: its parent agent). */
  agentId: string;
  /** `main`, `cron`, the channel name of a dm or group session, or null for a sub-agent session. */
  channel: string | null;
  createdAt: number;
  updatedAt: number;
  messageCount: number;
  tokenCount: number;
  /** The seq of the last message appended (0 for an empty session). */
  lastSeq: number;
  /** When the session was last compacted (ms since the epoch), or null. */
  lastCompaction: number | null;
  /** When it was archived (ms since the epoch); null for the live session of its key. */
  archivedAt: number | null;
}

export interface SessionAppendResult {
  /** The stored messages, in order (for a repeated idempotency id: the message stored earlier). */
  messages: SessionMessage[];
  session: SessionInfo;
}

/** SessionHistoryOptions.limit when none is given, and the most it may be. */
export const DEFAULT_HISTORY_LIMIT = 100;
export const MAX_HISTORY_LIMIT = 10_000;
/** SessionListFilter.limit when none is given, and the most it may be. */
export const DEFAULT_LIST_LIMIT = 1000;
export const MAX_LIST_LIMIT = 100_000;
/** The most messages one `append` call takes. */
export const MAX_APPEND_BATCH = 10_000;

export interface SessionHistoryOptions {
  /** The last `limit` messages (default DEFAULT_HISTORY_LIMIT = 100, at most MAX_HISTORY_LIMIT = 10,000). */
  limit?: number;
  /** Only messages with seq < before (paging backwards). */
  before?: number;
}

export interface SessionListFilter {
  /** A key prefix, e.g. `agent:main:` or `agent:main:telegram:` (served by the key index). */
  prefix?: string;
  agentId?: string;
  channel?: string;
  /** Only sessions updated at or after this time (ms since the epoch). */
  updatedSince?: number;
  /** List archived sessions instead of live ones. */
  archived?: boolean;
  /** At most this many (default DEFAULT_LIST_LIMIT = 1000, at most MAX_LIST_LIMIT = 100,000), most recently updated first. */
  limit?: number;
}

export interface SessionCompactOptions {
  /** Replace every message with seq ≤ upTo (at least one message must be replaced). */
  upTo: number;
  /** The summary that takes their place (role defaults to `system`). */
  summary: Omit<SessionMessageInput, "role" | "id"> & { role?: SessionRole };
}

export interface SessionCompactResult {
  /** How many messages the summary replaced. */
  replaced: number;
  summary: SessionMessage;
  session: SessionInfo;
}

export interface SessionImportOptions {
  /** Archive a live session of the same key first (default: refuse to overwrite it). */
  replace?: boolean;
}

/** The `sessions` service. Keys are validated with parseSessionKey; errors carry stable codes. */
export interface SessionsService {
  /** Creates an empty session; ALEPH_E_DUPLICATE when a live session has that key. */
  create(key: string): Promise<SessionInfo>;
  /** The live session of `key`, or undefined. */
  get(key: string): Promise<SessionInfo | undefined>;
  /** Appends one or many messages (atomically), creating the session when it does not exist. */
  append(key: string, messages: SessionMessageInput | SessionMessageInput[]): Promise<SessionAppendResult>;
  /** The latest messages, oldest first; ALEPH_E_NOT_FOUND for an unknown key. */
  history(key: string, options?: SessionHistoryOptions): Promise<SessionMessage[]>;
  list(filter?: SessionListFilter): Promise<SessionInfo[]>;
  /** Replaces messages up to a seq by one summary message and records last_compaction. */
  compact(key: string, options: SessionCompactOptions): Promise<SessionCompactResult>;
  /** Sets the live session aside (kept, listed with `archived: true`); the key starts afresh. */
  archive(key: string): Promise<SessionInfo>;
  /** Deletes the live session and its messages; with `archived`, also every archived session of the key. Returns how many were deleted. */
  delete(key: string, options?: { archived?: boolean }): Promise<number>;
  /** The session as JSONL: a header line, then one line per message. */
  export(key: string, options?: { archivedAt?: number }): Promise<string>;
  /** Re-creates a session from `export` output (messages keep their seq, ts and tokens). */
  import(jsonl: string, options?: SessionImportOptions): Promise<SessionInfo>;
}

export const sessionsRef = createServiceRef<SessionsService>("sessions");

/** A token counter. Provide the `token-counter` service to replace the built-in estimate. */
export interface TokenCounter {
  /** Tokens of one message as a model would see it. */
  count(message: SessionMessageInput): number;
}

export const tokenCounterRef = createServiceRef<TokenCounter>("token-counter");

/**
 * Total length of the text in a value: strings, and the keys and scalars of structures. It runs
 * before the strict JSON check, so it must survive what that check refuses (a cycle counts once).
 */
function textLength(value: unknown, seen = new Set<object>()): number {
  if (typeof value === "string") return value.length;
  if (value === null || typeof value !== "object") return String(value).length;
  if (seen.has(value)) return 0;
  seen.add(value);
  let n = 0;
  if (Array.isArray(value)) for (const item of value) n += textLength(item, seen);
  else for (const [key, item] of Object.entries(value)) n += key.length + textLength(item, seen);
  return n;
}

/**
 * The built-in token estimate: about four characters a token (the rule of thumb for English
 * with BPE tokenizers) plus four tokens of per-message framing (role, separators), the
 * overhead chat APIs document. Cheap and deterministic; exact counts come from a
 * `token-counter` provider or from the provider's usage passed as `tokens`.
 */
export function estimateTokens(message: Pick<SessionMessageInput, "content" | "name">): number {
  const chars = textLength(message.content) + (message.name?.length ?? 0);
  return 4 + Math.ceil(chars / 4);
}

/** A sub-agent session as the coordinator tracks it. */
export interface SubagentInfo {
  /** `subagent:agent:<parentAgentId>:<name>`. */
  key: string;
  parentAgentId: string;
  name: string;
  /** `active` (acquired), `idle` (released, context in memory), `swapped` (context on disk in <root>/swap/). */
  state: "active" | "idle" | "swapped";
  /** When it last changed state (ms since the epoch). */
  since: number;
}

/** An acquired sub-agent: its info and its in-memory working context (any JSON value). */
export interface SubagentHandle extends SubagentInfo {
  context: unknown;
}

/**
 * The `subagents` service (SessionCoordinator + SwapManager): sub-agent sessions namespaced
 * under their parent agent, with limits on active and idle ones. An idle sub-agent's context is
 * swapped out to `<root>/swap/` after `[sessions.subagents] swap_after_ms` (or when there are
 * more idle ones than `max_idle`) and swapped back in, exactly, when it is acquired again; a
 * swapped-out context survives a restart, and after a crash a sub-agent comes back with the
 * context of its last swap-out.
 */
export interface SubagentsService {
  /** Creates a sub-agent session and acquires it; ALEPH_E_DUPLICATE when it exists. */
  create(parentAgentId: string, name: string, context?: unknown): Promise<SubagentHandle>;
  /** Acquires a sub-agent (creating it when new, swapping it in when swapped); ALEPH_E_LIMIT past max_active. */
  acquire(parentAgentId: string, name: string): Promise<SubagentHandle>;
  /** Replaces the in-memory context of an active sub-agent. */
  update(key: string, context: unknown): Promise<SubagentInfo>;
  /** Marks an active sub-agent idle, optionally with its final context (null or omitted: keep the current one). */
  release(key: string, context?: unknown): Promise<SubagentInfo>;
  list(parentAgentId?: string): Promise<SubagentInfo[]>;
  /** Swaps an idle sub-agent out now. */
  swapOut(key: string): Promise<SubagentInfo>;
  /** Forgets a sub-agent that is not active: its context (in memory or swapped) is dropped; its session stays in sessions.db. */
  remove(key: string): Promise<boolean>;
}

export const subagentsRef = createServiceRef<SubagentsService>("subagents");
