import { mkdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { AlephError, appendJsonLine, createServiceRef, readJsonLines, validateId, writeFileAtomic, type Logger } from "@aleph/plugin-sdk";

/*
 * The chat source of truth (SOT).
 *
 *   <root>/chat/chats/<chatId>.jsonl             one line per message, append-only
 *   <root>/chat/cursors/<chatId>/<agentId>.json  {"seq": n}, written atomically
 *
 * Content: any JSON value (a string for plain text; objects for structured messages). Its size is
 * measured as the UTF-8 bytes of its JSON serialisation and capped by `[chat] max_message_bytes`.
 *
 * Sequence numbers: per chat, starting at 1, strictly increasing by one per *written* line, never
 * reused. After a crash mid-write the file may end in a torn line. It is reported (log warning,
 * `torn` in read results and in status()) and the stream continues on a fresh line. The next seq
 * is max(every complete seq, the seq parsed from the prefix of every damaged line) + 1: lines are
 * written as `{"seq":N,...` so a fragment almost always names its seq, and that seq is never given
 * to another message — a consumer that saw the fragment (or a backup taken mid-write) can never
 * confuse it with a later message. If the fragment is too short to show its seq there is a gap-free
 * continuation from the last complete seq: nobody can have referred to a seq it never showed.
 * (A torn message was never acknowledged to its poster — the write was its last act — so a retry
 * with the same idempotency key writes it again under a new seq.)
 *
 * Concurrency: every write to one chat (post, advance) goes through a per-chat in-memory queue, so
 * concurrent calls in one process never produce duplicate or lost seqs. Across processes nothing
 * more is needed: the kernel enforces one kernel per state root (lock in run/), and only this
 * plugin, inside that kernel, writes chat/. The index is nevertheless re-loaded whenever the file's
 * size is not the one this process last left it at (a hand edit, a restore), so it never goes stale.
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

export interface PostInput {
  from: string;
  content: unknown;
  /** Idempotency key, unique per chat: posting the same key again returns the first message. */
  key?: string;
}

/** A damaged line of the stream: a torn write (last line) or, once more lines followed it, a former torn tail. */
export interface TornLine {
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
  torn: TornLine[];
}

export interface ReadOptions {
  /** Return messages with seq > after (default 0). */
  after?: number;
  /** At most this many (default 100, max 1000). */
  limit?: number;
}

export interface ReadResult {
  messages: ChatMessage[];
  /** The last seq of the chat: more messages remain when messages' last seq < lastSeq. */
  lastSeq: number;
  /** Damaged lines of the stream, reported on every read (empty when sound). */
  torn: TornLine[];
}

export interface UnreadResult extends ReadResult {
  /** The agent's cursor: the last seq it has acknowledged reading (0 when none). */
  cursor: number;
}

/** The `chat` service. */
export interface ChatService {
  /** Appends a message; with a key already used in this chat, returns the existing message instead. */
  post(chatId: string, input: PostInput): Promise<ChatMessage>;
  read(chatId: string, options?: ReadOptions): Promise<ReadResult>;
  /** Messages after the agent's cursor (at most `limit`, default 100). */
  unread(chatId: string, agentId: string, options?: { limit?: number }): Promise<UnreadResult>;
  /** The agent's cursor (0 when none). */
  cursor(chatId: string, agentId: string): Promise<number>;
  /**
   * Moves the agent's cursor forward to `seq` and returns the cursor. Never moves it back: a seq
   * at or below the cursor leaves it where it is. A seq beyond the chat's last seq is an error.
   */
  advance(chatId: string, agentId: string, seq: number): Promise<number>;
  status(chatId: string): Promise<ChatStatus>;
}

export const chatRef = createServiceRef<ChatService>("chat");

export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024;
export const DEFAULT_READ_LIMIT = 100;
export const MAX_READ_LIMIT = 1000;
const MAX_KEY_LENGTH = 256;

export interface ChatStoreOptions {
  /** The state root; the store lives in `<root>/chat`. */
  root: string;
  settings: { max_message_bytes: number; fsync: boolean };
  log?: Pick<Logger, "warn">;
}

interface ChatIndex {
  lastSeq: number;
  count: number;
  keys: Map<string, number>;
  torn: TornLine[];
  /** File size after this process's last load or write: any other size means someone else wrote. */
  size: number;
}

const SEQ_PREFIX = /^\{"seq":(\d+)[,}]/;

function usage(message: string, fix?: string): AlephError {
  return new AlephError("ALEPH_E_USAGE", message, fix === undefined ? {} : { fix });
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return 0;
    throw error;
  }
}

function checkSeq(name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw usage(`${name} must be a non-negative integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

function checkLimit(value: unknown): number {
  if (value === undefined) return DEFAULT_READ_LIMIT;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1 || value > MAX_READ_LIMIT) {
    throw usage(`limit must be an integer from 1 to ${MAX_READ_LIMIT}, got ${JSON.stringify(value)}`);
  }
  return value;
}

export function createChatStore(options: ChatStoreOptions): ChatService & { dispose(): Promise<void>; settings: ChatStoreOptions["settings"] } {
  const { root, settings, log } = options;
  const chatsDir = join(root, "chat", "chats");
  const cursorsDir = join(root, "chat", "cursors");
  const indexes = new Map<string, ChatIndex>();
  const queues = new Map<string, Promise<unknown>>();
  let disposed = false;

  const chatFile = (chatId: string) => join(chatsDir, `${chatId}.jsonl`);
  const cursorFile = (chatId: string, agentId: string) => join(cursorsDir, chatId, `${agentId}.json`);

  /** Runs `fn` after every earlier queued operation on this chat (in-process serialisation). */
  function enqueue<T>(chatId: string, fn: () => Promise<T> | T): Promise<T> {
    if (disposed) return Promise.reject(usage("the chat service has been unloaded", "get the chat service again"));
    const previous = queues.get(chatId) ?? Promise.resolve();
    const next = previous.then(fn, fn);
    const settled = next.catch(() => undefined);
    queues.set(chatId, settled);
    void settled.then(() => {
      if (queues.get(chatId) === settled) queues.delete(chatId);
    });
    return next;
  }

  function load(chatId: string): ChatIndex {
    const file = chatFile(chatId);
    const size = fileSize(file);
    const { records, torn, invalid } = readJsonLines<ChatMessage>(file);
    const index: ChatIndex = { lastSeq: 0, count: 0, keys: new Map(), torn: [], size };
    for (const record of records) {
      if (typeof record !== "object" || record === null || !Number.isSafeInteger(record.seq)) continue;
      index.count += 1;
      if (record.seq > index.lastSeq) index.lastSeq = record.seq;
      if (typeof record.key === "string" && !index.keys.has(record.key)) index.keys.set(record.key, record.seq);
    }
    for (const bad of [...invalid, ...(torn ? [torn] : [])]) {
      const match = SEQ_PREFIX.exec(bad.text);
      const entry: TornLine = { line: bad.line, text: bad.text };
      if (match) {
        entry.seq = Number(match[1]);
        if (entry.seq > index.lastSeq) index.lastSeq = entry.seq;
      }
      index.torn.push(entry);
    }
    if (index.torn.length > 0) {
      log?.warn("chat stream has damaged lines (torn writes); they are skipped and their seqs never reused", {
        chatId,
        file,
        torn: index.torn.map(({ line, seq }) => ({ line, seq })),
      });
    }
    return index;
  }

  /** The chat's index, loaded on first use and re-loaded when the file changed behind our back. */
  function index(chatId: string): ChatIndex {
    let current = indexes.get(chatId);
    if (!current || fileSize(chatFile(chatId)) !== current.size) {
      current = load(chatId);
      indexes.set(chatId, current);
    }
    return current;
  }

  function messages(chatId: string): ChatMessage[] {
    return readJsonLines<ChatMessage>(chatFile(chatId)).records.filter(
      (r): r is ChatMessage => typeof r === "object" && r !== null && Number.isSafeInteger(r.seq),
    );
  }

  async function readCursor(chatId: string, agentId: string): Promise<number> {
    const file = cursorFile(chatId, agentId);
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return 0;
      throw error;
    }
    try {
      const seq = (JSON.parse(text) as { seq?: unknown }).seq;
      if (typeof seq === "number" && Number.isSafeInteger(seq) && seq >= 0) return seq;
    } catch {
      // fall through
    }
    // Cursors are written atomically, so this is a hand edit: re-deliver rather than lose messages.
    log?.warn("unreadable chat cursor, treated as 0 (messages will be delivered again)", { chatId, agentId, file });
    return 0;
  }

  function result(chatId: string, after: number, limit: number): ReadResult {
    const idx = index(chatId);
    const list = after >= idx.lastSeq ? [] : messages(chatId).filter((m) => m.seq > after).slice(0, limit);
    return { messages: list, lastSeq: idx.lastSeq, torn: idx.torn.map((t) => ({ ...t })) };
  }

  const service: ChatService = {
    async post(chatId, input) {
      validateId("chat id", chatId);
      if (typeof input !== "object" || input === null) throw usage("post needs { from, content, key? }");
      const from = validateId("sender id (from)", input.from);
      const key = input.key;
      if (key !== undefined && (typeof key !== "string" || key.length === 0 || key.length > MAX_KEY_LENGTH)) {
        throw usage(`the idempotency key must be a non-empty string of at most ${MAX_KEY_LENGTH} characters`);
      }
      let serialized: string | undefined;
      try {
        serialized = JSON.stringify(input.content);
      } catch (error) {
        throw usage(`message content is not JSON-serialisable: ${(error as Error).message}`);
      }
      if (serialized === undefined) throw usage("message content is missing or not a JSON value", "pass a string or any JSON value");
      const bytes = Buffer.byteLength(serialized, "utf8");
      if (bytes > settings.max_message_bytes) {
        throw usage(
          `message content is ${bytes} bytes, over the limit of ${settings.max_message_bytes} bytes ([chat] max_message_bytes)`,
          "send a shorter message (or split it), or raise [chat] max_message_bytes in config.toml",
        );
      }
      const content = JSON.parse(serialized) as unknown; // a snapshot: later mutation of input does not leak in
      return enqueue(chatId, () => {
        const idx = index(chatId);
        if (key !== undefined) {
          const existing = idx.keys.get(key);
          if (existing !== undefined) {
            const found = messages(chatId).find((m) => m.seq === existing);
            if (found) return found;
          }
        }
        const message: ChatMessage = { seq: idx.lastSeq + 1, chatId, from, ts: new Date().toISOString(), content };
        if (key !== undefined) message.key = key;
        const file = chatFile(chatId);
        mkdirSync(chatsDir, { recursive: true });
        appendJsonLine(file, message, { fsync: settings.fsync });
        idx.lastSeq = message.seq;
        idx.count += 1;
        if (key !== undefined) idx.keys.set(key, message.seq);
        idx.size = fileSize(file);
        return message;
      });
    },

    async read(chatId, options = {}) {
      validateId("chat id", chatId);
      const after = checkSeq("after", options.after ?? 0);
      const limit = checkLimit(options.limit);
      return result(chatId, after, limit);
    },

    async unread(chatId, agentId, options = {}) {
      validateId("chat id", chatId);
      validateId("agent id", agentId);
      const limit = checkLimit(options.limit);
      const cursor = await readCursor(chatId, agentId);
      return { ...result(chatId, cursor, limit), cursor };
    },

    async cursor(chatId, agentId) {
      validateId("chat id", chatId);
      validateId("agent id", agentId);
      return readCursor(chatId, agentId);
    },

    async advance(chatId, agentId, seq) {
      validateId("chat id", chatId);
      validateId("agent id", agentId);
      checkSeq("seq", seq);
      return enqueue(chatId, async () => {
        const idx = index(chatId);
        if (seq > idx.lastSeq) {
          throw usage(`cannot advance ${agentId}'s cursor in chat ${chatId} to ${seq}: the last message is ${idx.lastSeq}`);
        }
        const current = await readCursor(chatId, agentId);
        if (seq <= current) return current;
        const file = cursorFile(chatId, agentId);
        mkdirSync(join(cursorsDir, chatId), { recursive: true });
        await writeFileAtomic(file, `${JSON.stringify({ seq })}\n`);
        return seq;
      });
    },

    async status(chatId) {
      validateId("chat id", chatId);
      const idx = index(chatId);
      return { chatId, lastSeq: idx.lastSeq, count: idx.count, torn: idx.torn.map((t) => ({ ...t })) };
    },
  };

  return {
    ...service,
    settings,
    async dispose() {
      disposed = true;
      await Promise.all([...queues.values()]);
      indexes.clear();
    },
  };
}
