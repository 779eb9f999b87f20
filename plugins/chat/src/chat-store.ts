import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync } from "node:fs";
import { join } from "node:path";
import {
  AlephError,
  DEFAULT_CHAT_READ_LIMIT,
  MAX_CHAT_READ_LIMIT,
  appendJsonLine,
  mkdirPrivateSync,
  optionsOf,
  readJsonLines,
  toJsonText,
  validateId,
  writeFileAtomic,
  type ChatMessage,
  type ChatService,
  type Logger,
  type ChatReadResult,
  type ChatSummary,
  type ChatTornLine,
  explainInvalidId,
} from "@aleph/plugin-sdk";

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
 * size or inode is not the one this process last left it at (a hand edit, a restore), so it never
 * goes stale.
 *
 * Cost: the first use of a chat reads its file once and keeps, per message, its seq and the byte
 * range of its line. After that a post is a stat and an append, and a read (or a repeated key)
 * reads only the lines it returns: the cost does not grow with the length of the chat.
 */

export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024;
const MAX_KEY_LENGTH = 256;

export interface ChatStoreOptions {
  /** The state root; the store lives in `<root>/chat`. */
  root: string;
  settings: { max_message_bytes: number; fsync: boolean };
  log?: Pick<Logger, "warn">;
  /** Called after a new message is durably written (not for a repeated idempotency key). */
  onPosted?: (message: ChatMessage) => void;
}

interface ChatIndex {
  lastSeq: number;
  count: number;
  keys: Map<string, number>;
  torn: ChatTornLine[];
  /** Complete messages in file order: seq and the byte range [start, end) of the line. */
  seqs: number[];
  starts: number[];
  ends: number[];
  /** seqs strictly increase in file order (always, unless the file was edited by hand). */
  ordered: boolean;
  /** The file ends with a newline, so an append needs no check for a torn tail. */
  intact: boolean;
  /** Size and inode after this process's last load or write: anything else means someone else wrote. */
  size: number;
  ino: number;
}

const SEQ_PREFIX = /^\{"seq":(\d+)[,}]/;

function usage(message: string, fix?: string): AlephError {
  return new AlephError("ALEPH_E_USAGE", message, fix === undefined ? {} : { fix });
}

function fileIdentity(file: string): { size: number; ino: number } {
  try {
    const { size, ino } = statSync(file);
    return { size, ino };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { size: 0, ino: 0 };
    throw error;
  }
}

/** The index no longer matches the file (an in-place edit that kept its size and inode). */
class StaleIndexError extends Error {}

/** The index of the first entry with seq > after (entries.length when none). */
function firstAfter(idx: ChatIndex, after: number): number {
  if (!idx.ordered) {
    const i = idx.seqs.findIndex((seq) => seq > after);
    return i === -1 ? idx.seqs.length : i;
  }
  let lo = 0;
  let hi = idx.seqs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (idx.seqs[mid]! > after) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function checkSeq(name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw usage(`${name} must be a non-negative integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

function checkLimit(value: unknown): number {
  if (value === undefined || value === null) return DEFAULT_CHAT_READ_LIMIT;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1 || value > MAX_CHAT_READ_LIMIT) {
    throw usage(`limit must be an integer from 1 to ${MAX_CHAT_READ_LIMIT}, got ${JSON.stringify(value)}`);
  }
  return value;
}

export function createChatStore(options: ChatStoreOptions): ChatService & { dispose(): Promise<void>; settings: ChatStoreOptions["settings"] } {
  const { root, settings, log, onPosted } = options;
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
    const { ino } = fileIdentity(file);
    const { records, torn, invalid, positions, intact, size } = readJsonLines<ChatMessage>(file, { positions: true });
    const index: ChatIndex = { lastSeq: 0, count: 0, keys: new Map(), torn: [], seqs: [], starts: [], ends: [], ordered: true, intact, size, ino };
    records.forEach((record, i) => {
      if (typeof record !== "object" || record === null || !Number.isSafeInteger(record.seq)) return;
      index.count += 1;
      if (record.seq <= (index.seqs.at(-1) ?? 0)) index.ordered = false;
      index.seqs.push(record.seq);
      index.starts.push(positions![i]!.start);
      index.ends.push(positions![i]!.end);
      if (record.seq > index.lastSeq) index.lastSeq = record.seq;
      if (typeof record.key === "string" && !index.keys.has(record.key)) index.keys.set(record.key, record.seq);
    });
    for (const bad of [...invalid, ...(torn ? [torn] : [])]) {
      const match = SEQ_PREFIX.exec(bad.text);
      const entry: ChatTornLine = { line: bad.line, text: bad.text };
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
    const now = current && fileIdentity(chatFile(chatId));
    if (!current || now!.size !== current.size || now!.ino !== current.ino) {
      current = load(chatId);
      indexes.set(chatId, current);
    }
    return current;
  }

  /** The messages at entries [from, to) of the index, read from their byte ranges only. */
  function messagesAt(chatId: string, idx: ChatIndex, from: number, to: number): ChatMessage[] {
    if (from >= to) return [];
    const base = idx.starts[from]!;
    const buffer = Buffer.alloc(idx.ends[to - 1]! - base);
    const fd = openSync(chatFile(chatId), "r");
    try {
      for (let read = 0; read < buffer.length; ) {
        const n = readSync(fd, buffer, read, buffer.length - read, base + read);
        if (n === 0) break;
        read += n;
      }
    } finally {
      closeSync(fd);
    }
    const list: ChatMessage[] = [];
    for (let i = from; i < to; i++) {
      let message: ChatMessage;
      try {
        message = JSON.parse(buffer.toString("utf8", idx.starts[i]! - base, idx.ends[i]! - base)) as ChatMessage;
      } catch {
        throw new StaleIndexError();
      }
      // The byte range must still hold the message the index thinks it does.
      if (message?.seq !== idx.seqs[i]) throw new StaleIndexError();
      list.push(message);
    }
    return list;
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

  function result(chatId: string, after: number, limit: number): ChatReadResult {
    try {
      return resultFrom(chatId, index(chatId), after, limit);
    } catch (error) {
      if (!(error instanceof StaleIndexError)) throw error;
      // Edited in place behind our back (same size and inode, other line boundaries): read it afresh once.
      indexes.delete(chatId);
      try {
        return resultFrom(chatId, index(chatId), after, limit);
      } catch (again) {
        if (!(again instanceof StaleIndexError)) throw again;
        throw new AlephError("ALEPH_E_JSON", `chat ${chatId} changed while it was being read`, { file: chatFile(chatId), fix: "read it again; if this persists, check what else writes the file" });
      }
    }
  }

  /** The message posted with idempotency key `key`, if any. */
  function byKey(chatId: string, idx: ChatIndex, key: string): ChatMessage | undefined {
    const seq = idx.keys.get(key);
    if (seq === undefined) return undefined;
    const at = idx.seqs.indexOf(seq, idx.ordered ? firstAfter(idx, seq - 1) : 0);
    return at === -1 ? undefined : messagesAt(chatId, idx, at, at + 1)[0];
  }

  function resultFrom(chatId: string, idx: ChatIndex, after: number, limit: number): ChatReadResult {
    let list: ChatMessage[];
    let more: boolean;
    if (idx.ordered) {
      const from = firstAfter(idx, after);
      const to = Math.min(idx.seqs.length, from + limit);
      list = messagesAt(chatId, idx, from, to);
      more = to < idx.seqs.length;
    } else {
      const all = messagesAt(chatId, idx, 0, idx.seqs.length).filter((m) => m.seq > after);
      list = all.slice(0, limit);
      more = all.length > limit;
    }
    return { messages: list, lastSeq: idx.lastSeq, more, torn: idx.torn.map((t) => ({ ...t })) };
  }

  const service: ChatService = {
    async post(chatId, input) {
      validateId("chat id", chatId);
      if (typeof input !== "object" || input === null) throw usage("post needs { from, content, key? }");
      const from = validateId("sender id (from)", input.from);
      const key = input.key ?? undefined; // null from a JSON caller: no key
      if (key !== undefined && (typeof key !== "string" || key.length === 0 || key.length > MAX_KEY_LENGTH)) {
        throw usage(`the idempotency key must be a non-empty string of at most ${MAX_KEY_LENGTH} characters`);
      }
      const serialized = toJsonText(input.content, {
        what: "message content",
        maxBytes: settings.max_message_bytes,
        limitFix: "raise [chat] max_message_bytes in config.toml",
      });
      const content = JSON.parse(serialized) as unknown; // a snapshot: later mutation of input does not leak in
      return enqueue(chatId, () => {
        let idx = index(chatId);
        if (key !== undefined) {
          let found: ChatMessage | undefined;
          try {
            found = byKey(chatId, idx, key);
          } catch (error) {
            if (!(error instanceof StaleIndexError)) throw error;
            indexes.delete(chatId); // edited in place behind our back: read it afresh
            idx = index(chatId);
            found = byKey(chatId, idx, key);
          }
          if (found) return found;
        }
        const message: ChatMessage = { seq: idx.lastSeq + 1, chatId, from, ts: new Date().toISOString(), content };
        if (key !== undefined) message.key = key;
        const file = chatFile(chatId);
        if (idx.size === 0) mkdirPrivateSync(chatsDir);
        const bytes = appendJsonLine(file, message, { fsync: settings.fsync, intact: idx.intact });
        if (idx.intact && idx.size > 0) {
          // We know exactly where the line went: extend the index in place.
          idx.seqs.push(message.seq);
          idx.starts.push(idx.size);
          idx.ends.push(idx.size + bytes - 1);
          idx.size += bytes;
          idx.lastSeq = message.seq;
          idx.count += 1;
          if (key !== undefined) idx.keys.set(key, message.seq);
        } else {
          // A new file (its inode is new) or a torn tail closed first: read it afresh next time.
          indexes.delete(chatId);
        }
        onPosted?.(message);
        return message;
      });
    },

    async read(chatId, given) {
      const options = optionsOf(given, "read");
      validateId("chat id", chatId);
      const after = checkSeq("after", options.after ?? 0);
      const limit = checkLimit(options.limit);
      return result(chatId, after, limit);
    },

    async unread(chatId, agentId, given) {
      const options = optionsOf(given, "unread");
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
        mkdirPrivateSync(join(cursorsDir, chatId));
        await writeFileAtomic(file, `${JSON.stringify({ seq })}\n`);
        return seq;
      });
    },

    async status(chatId) {
      validateId("chat id", chatId);
      const idx = index(chatId);
      return { chatId, lastSeq: idx.lastSeq, count: idx.count, torn: idx.torn.map((t) => ({ ...t })) };
    },

    async list() {
      let names: string[];
      try {
        names = readdirSync(chatsDir);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
        throw error;
      }
      const chats: ChatSummary[] = [];
      for (const name of names) {
        // Only the streams themselves: temp files, hand-made copies and other names are not chats.
        if (!name.endsWith(".jsonl")) continue;
        const chatId = name.slice(0, -".jsonl".length);
        if (explainInvalidId("chat id", chatId) !== undefined) continue;
        let updatedAt: number;
        try {
          const stats = statSync(chatFile(chatId));
          if (!stats.isFile()) continue;
          updatedAt = Math.round(stats.mtimeMs);
        } catch {
          continue; // removed meanwhile
        }
        const idx = index(chatId);
        chats.push({ chatId, lastSeq: idx.lastSeq, count: idx.count, updatedAt });
      }
      return chats.sort((a, b) => b.updatedAt - a.updatedAt || (a.chatId < b.chatId ? -1 : a.chatId > b.chatId ? 1 : 0));
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
