import { createServiceRef } from "./service-ref.js";

/*
 * The `chat` service contract: the chat source of truth (SOT), the canonical message stream of
 * each chat, separate from session logs. Provided by the bundled `chat` plugin:
 *
 *   <root>/chat/chats/<chatId>.jsonl             one line per message, append-only
 *   <root>/chat/cursors/<chatId>/<agentId>.json  {"seq": n}, written atomically
 */

/** A message of the chat stream, as stored (one JSON line). */
export interface ChatMessage {
  seq: number;
  chatId: string;
  from: string;
  /** ISO 8601 timestamp of when it was written. */
  ts: string;
  /** Any JSON value; a string for plain text. */
  content: unknown;
  /** The idempotency key it was posted with, if any. */
  key?: string;
}

export interface ChatPostInput {
  from: string;
  content: unknown;
  /** Idempotency key, unique per chat: posting the same key again returns the first message. */
  key?: string;
}

/** A damaged line of the stream: a torn write (last line) or, once more lines followed it, a former torn tail. */
export interface ChatTornLine {
  /** 1-based line number in the chat file. */
  line: number;
  /** The fragment (truncated to 200 characters). */
  text: string;
  /** The seq read from the fragment's prefix, when it shows one; never reused. */
  seq?: number;
}

export interface ChatStatus {
  chatId: string;
  /** The last seq given out (0 for an empty chat), including one seen only in a torn fragment. */
  lastSeq: number;
  /** Complete messages in the stream. */
  count: number;
  /** Damaged lines (empty when the stream is sound). */
  torn: ChatTornLine[];
}

/** One chat as `list()` reports it. */
export interface ChatSummary {
  chatId: string;
  /** The last seq given out (0 for an empty chat). */
  lastSeq: number;
  /** Complete messages in the stream. */
  count: number;
  /** When its file last changed (ms since the epoch). */
  updatedAt: number;
}

/** ChatReadOptions.limit (and unread's) when none is given, and the most it may be. */
export const DEFAULT_CHAT_READ_LIMIT = 100;
export const MAX_CHAT_READ_LIMIT = 1000;

export interface ChatReadOptions {
  /** Return messages with seq > after (default 0). */
  after?: number;
  /** At most this many (default DEFAULT_CHAT_READ_LIMIT = 100, at most MAX_CHAT_READ_LIMIT = 1000). */
  limit?: number;
}

export interface ChatReadResult {
  messages: ChatMessage[];
  /** The last seq given out in the chat (including one seen only in a torn fragment, which is never readable). */
  lastSeq: number;
  /** More messages follow the last one returned: read again with `after` = its seq. */
  more: boolean;
  /** Damaged lines of the stream, reported on every read (empty when sound). */
  torn: ChatTornLine[];
}

export interface ChatUnreadResult extends ChatReadResult {
  /** The agent's cursor: the last seq it has acknowledged reading (0 when none). */
  cursor: number;
}

/** The `chat` service. */
export interface ChatService {
  /** Appends a message; with a key already used in this chat, returns the existing message instead. */
  post(chatId: string, input: ChatPostInput): Promise<ChatMessage>;
  read(chatId: string, options?: ChatReadOptions): Promise<ChatReadResult>;
  /** Messages after the agent's cursor (at most `limit`, default 100). */
  unread(chatId: string, agentId: string, options?: { limit?: number }): Promise<ChatUnreadResult>;
  /** The agent's cursor (0 when none). */
  cursor(chatId: string, agentId: string): Promise<number>;
  /**
   * Moves the agent's cursor forward to `seq` and returns the cursor. Never moves it back: a seq
   * at or below the cursor leaves it where it is. A seq beyond the chat's last seq is an error.
   */
  advance(chatId: string, agentId: string, seq: number): Promise<number>;
  status(chatId: string): Promise<ChatStatus>;
  /** Every chat there is, most recently written first. */
  list(): Promise<ChatSummary[]>;
}

export const chatRef = createServiceRef<ChatService>("chat");
