import { readFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { contentText, errorMessage, writeFileAtomic, type FactInput, type Logger, type MemoryService, type ProvidersService, type SessionMessage, type SessionsService } from "@aleph/plugin-sdk";
import { extractFacts } from "./rules.js";
import { extractWithModel } from "./llm.js";

/*
 * Auto-extract: facts taken from what the USER wrote (never the assistant's words, never recalled
 * memory blocks), each linked to its session and message (`session:<key>#<seq>`). Messages are
 * handled one at a time off the append path (the session store never waits for memory), and the
 * last seq handled per session is kept in memory/extracted.json, so messages appended while no
 * kernel ran — `aleph sessions append`, an import — are caught up at the next start. Handling a
 * message twice is harmless: the same fact is a duplicate and only gains a source.
 */

export type AutoExtractMode = "rules" | "llm" | false;

export interface AutoExtractOptions {
  /** memory/extracted.json */
  cursorFile: string;
  mode: () => AutoExtractMode;
  memory: () => MemoryService;
  sessions: () => SessionsService | undefined;
  providers: () => ProvidersService | undefined;
  log: Logger;
  signal: AbortSignal;
}

/** Per session key: the session's id (a key starts afresh after an archive) and the last seq handled. */
type Cursor = Record<string, { id: string; seq: number }>;

/** Quiet time before the cursor is written: a burst of messages makes one write. */
const CURSOR_SAVE_MS = 200;

/** Messages read per history call during a catch-up. */
const CATCH_UP_PAGE = 500;


export class AutoExtractor {
  readonly #o: AutoExtractOptions;
  #cursor: Cursor;
  #queue: Promise<unknown> = Promise.resolve();
  #dirty = false;
  /** Set while idle() waits: the cursor is written without the quiet time. */
  #flushing = false;
  #writeNow: (() => void) | undefined;
  #writer: Promise<void> = Promise.resolve();

  constructor(options: AutoExtractOptions) {
    this.#o = options;
    this.#cursor = readCursor(options.cursorFile);
  }

  /** Takes one appended message (it is ignored unless a user wrote it); resolves when it is handled. */
  enqueue(key: string, agentId: string, message: SessionMessage): Promise<void> {
    const run = this.#queue.then(() => this.#handle(key, agentId, message));
    this.#queue = run.catch((error: unknown) => this.#o.log.warn("auto-extract failed for a message; it is tried again at the next start", { key, seq: message.seq, error: errorMessage(error) }));
    return run;
  }

  /** Resolves when every message enqueued so far is handled and the cursor is written (at once). */
  idle(): Promise<void> {
    return this.#queue.then(() => {
      this.#flushing = true;
      this.#writeNow?.();
      return this.#writer.finally(() => {
        this.#flushing = false;
      });
    });
  }

  /** Handles the user messages of every session appended after the cursor (while no kernel ran). */
  async catchUp(): Promise<number> {
    const sessions = this.#o.sessions();
    if (!sessions || this.#o.mode() === false) return 0;
    let handled = 0;
    for (const info of await sessions.list({ limit: 100_000 })) {
      const seen = this.#cursor[info.key];
      const after = seen && seen.id === info.id ? seen.seq : 0;
      if (info.lastSeq <= after || this.#o.signal.aborted) continue;
      // History pages backwards: collect down to the cursor, then handle oldest first.
      const pending: SessionMessage[] = [];
      let before: number | undefined;
      for (;;) {
        const page = await sessions.history(info.key, { limit: CATCH_UP_PAGE, ...(before !== undefined ? { before } : {}) });
        const fresh = page.filter((m) => m.seq > after);
        pending.unshift(...fresh);
        if (page.length < CATCH_UP_PAGE || fresh.length < page.length) break;
        before = page[0]!.seq;
      }
      for (const message of pending) {
        await this.enqueue(info.key, info.agentId, message);
        if (message.role === "user") handled++;
      }
      this.#advance(info.key, info.id, info.lastSeq);
    }
    return handled;
  }

  async #handle(key: string, agentId: string, message: SessionMessage): Promise<void> {
    const mode = this.#o.mode();
    if (mode !== false && message.role === "user" && message.summaryOf === undefined) {
      const text = contentText(message.content);
      const source = `session:${key}#${message.seq}`;
      const inputs: FactInput[] = extractFacts(text).map((f) => ({ agentId, text: f.text, category: f.category, confidence: f.confidence, tags: ["auto"], source }));
      if (mode === "llm") {
        const providers = this.#o.providers();
        if (providers) {
          for (const fact of await extractWithModel(providers, text, this.#o.signal)) inputs.push({ agentId, text: fact, category: "note", confidence: 0.7, tags: ["auto", "llm"], source });
        }
      }
      if (inputs.length > 0) await this.#o.memory().addMany(inputs);
    }
    const sessions = this.#o.sessions();
    const id = this.#cursor[key]?.id ?? (await sessions?.get(key))?.id;
    if (id !== undefined) this.#advance(key, id, message.seq);
  }

  #advance(key: string, id: string, seq: number): void {
    const seen = this.#cursor[key];
    if (seen && seen.id === id && seen.seq >= seq) return;
    this.#cursor[key] = { id, seq };
    // One write at a time, each of the latest cursor, at most every CURSOR_SAVE_MS: advances
    // meanwhile join it. Not fsync'd: a cursor a crash loses only has messages read again (harmless).
    if (this.#dirty) return;
    this.#dirty = true;
    this.#writer = this.#writer.then(async () => {
      // The wait does not keep a process alive; idle() (the plugin unloading) cuts it short.
      if (!this.#flushing) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, CURSOR_SAVE_MS);
          timer.unref();
          this.#writeNow = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.#writeNow = undefined;
      }
      this.#dirty = false;
      await mkdir(dirname(this.#o.cursorFile), { recursive: true, mode: 0o700 })
        .then(() => writeFileAtomic(this.#o.cursorFile, `${JSON.stringify(this.#cursor)}\n`, { durable: false }))
        .catch((error: unknown) =>
        this.#o.log.warn("could not save the auto-extract cursor; some messages may be read again at the next start (harmless)", { error: errorMessage(error) }),
      );
    });
  }
}

function readCursor(file: string): Cursor {
  try {
    const parsed = JSON.parse(readFileSync(file, "utf8")) as unknown;
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) {
      const out: Cursor = {};
      for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
        const v = value as { id?: unknown; seq?: unknown };
        if (typeof v?.id === "string" && Number.isInteger(v.seq)) out[key] = { id: v.id, seq: v.seq as number };
      }
      return out;
    }
  } catch {
    // missing (a first start) or unreadable: everything is read again, which is harmless
  }
  return {};
}
