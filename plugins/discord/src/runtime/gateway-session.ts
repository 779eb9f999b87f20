import { createHash } from "node:crypto";
import { readFile, rm } from "node:fs/promises";
import { errorMessage, writeFileAtomic, type Logger } from "@aleph/plugin-sdk";
import type { SessionInfo } from "@discordjs/ws";

/*
 * The gateway session of one running channel: what @discordjs/ws resumes with, kept here rather
 * than in the library's default store — one Map for the whole process, which a second plugin
 * generation (a hot reload) or a second channel would share and resume from.
 *
 * It is also saved to the plugin's data directory, so the next generation (a reload, a restart
 * within Discord's resume window) RESUMEs instead of identifying, and Discord replays what was
 * said in between. The sequence saved is the last one *handled* — every message up to it delivered
 * to the registry — not the last one received: what was received but not yet delivered when the
 * channel stopped is replayed, not lost. (A replay of something delivered already is answered
 * once all the same: the registry keeps which message ids it has answered.)
 *
 * Once parked (the channel is stopping), the store answers no more lookups: @discordjs/ws looks
 * the session up first thing when it (re)connects, so a reconnect it had already scheduled —
 * a 500 ms sleep after a drop — waits there forever instead of opening a socket after stop().
 */

const FILE_VERSION = 1;

interface SessionFile {
  version: number;
  /** A fingerprint of the token the session belongs to (never the token). */
  token: string;
  session: SessionInfo;
  savedAt: number;
}

export function tokenFingerprint(token: string): string {
  return createHash("sha256").update(`aleph-discord-session:${token}`).digest("hex").slice(0, 16);
}

export class GatewaySessionStore {
  #current: SessionInfo | null = null;
  /** Dispatches received but not yet handled: sequence → the session they belong to. */
  readonly #pending = new Map<number, string>();
  #parked = false;
  #parkedLookup: (() => void) | undefined;
  readonly #lookedUpAfterPark: Promise<void>;
  #closed = false;
  /** The session changed since load() (the library updated it, a dispatch was held): close() writes it. */
  #touched = false;
  #dirty = false;
  #writing: Promise<void> | undefined;

  constructor(
    private readonly file: string,
    private readonly token: string,
    private readonly log: Logger,
  ) {
    this.#lookedUpAfterPark = new Promise((resolve) => (this.#parkedLookup = resolve));
  }

  /** Takes up the session the previous generation saved, when it was this token's. */
  async load(): Promise<SessionInfo | null> {
    let text: string;
    try {
      text = await readFile(this.file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") this.log.warn("the saved gateway session could not be read; identifying anew", { error: errorMessage(error) });
      return null;
    }
    const saved = parseSessionFile(text);
    if (!saved) {
      this.log.warn("the saved gateway session is damaged; identifying anew", { file: this.file });
      return null;
    }
    if (saved.token !== tokenFingerprint(this.token)) return null; // another bot's session
    this.#current = saved.session;
    return saved.session;
  }

  /** @discordjs/ws's retrieveSessionInfo. */
  retrieve(): SessionInfo | null | Promise<never> {
    if (this.#parked) {
      this.#parkedLookup?.();
      return new Promise<never>(() => {});
    }
    return this.#current;
  }

  /** @discordjs/ws's updateSessionInfo: a new session (READY), a later sequence, or none (invalidated). */
  update(info: SessionInfo | null): void {
    // Parked: the library clears the session as it closes; keep it for the next generation.
    if (this.#parked) return;
    const changed = info?.sessionId !== this.#current?.sessionId;
    this.#current = info;
    this.#touched = true;
    if (changed) this.save();
  }

  /** A dispatch to handle (a message to deliver): its sequence is not acknowledged until `release`. */
  hold(sequence: number): () => void {
    const sessionId = this.#current?.sessionId;
    if (sessionId === undefined) return () => {};
    this.#touched = true;
    this.#pending.set(sequence, sessionId);
    return () => {
      if (this.#pending.get(sequence) !== sessionId) return;
      this.#pending.delete(sequence);
      this.save();
    };
  }

  /** The session with the last sequence up to which everything was handled. */
  acknowledged(): SessionInfo | null {
    const current = this.#current;
    if (!current) return null;
    let sequence = current.sequence;
    for (const [held, sessionId] of this.#pending) if (sessionId === current.sessionId && held - 1 < sequence) sequence = held - 1;
    return { ...current, sequence: Math.max(0, sequence) };
  }

  /** Stops answering lookups (see above). */
  park(): void {
    this.#parked = true;
  }

  /** Resolves when the library looked the session up after park(): its last scheduled reconnect is parked. */
  lookedUpAfterPark(): Promise<void> {
    return this.#lookedUpAfterPark;
  }

  /** Writes the acknowledged session, coalescing: one write at a time, the latest state last. */
  save(): void {
    if (this.#closed || !this.#touched) return;
    this.#dirty = true;
    this.#writing ??= this.#drain();
  }

  /**
   * The final write (after the gateway is down and deliveries have ended); no write after it. A
   * store nothing happened to (a start that failed before connecting) leaves the file as it was:
   * the next attempt still resumes from it.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#writing;
    if (!this.#touched) return;
    this.#dirty = true;
    await this.#drain();
  }

  async #drain(): Promise<void> {
    try {
      while (this.#dirty) {
        this.#dirty = false;
        await this.#write(this.acknowledged());
      }
    } finally {
      this.#writing = undefined;
    }
  }

  async #write(session: SessionInfo | null): Promise<void> {
    try {
      if (!session) {
        await rm(this.file, { force: true });
        return;
      }
      const content: SessionFile = { version: FILE_VERSION, token: tokenFingerprint(this.token), session, savedAt: Date.now() };
      // Not fsynced: losing the file to a power cut costs a fresh IDENTIFY, nothing else.
      await writeFileAtomic(this.file, `${JSON.stringify(content)}\n`, { durable: false });
    } catch (error) {
      this.log.warn("could not save the gateway session (the next start identifies anew)", { error: errorMessage(error) });
    }
  }
}

function parseSessionFile(text: string): SessionFile | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const file = value as Partial<SessionFile> | null;
  const session = file?.session as Partial<SessionInfo> | undefined;
  if (
    !file ||
    file.version !== FILE_VERSION ||
    typeof file.token !== "string" ||
    !session ||
    typeof session.sessionId !== "string" ||
    typeof session.resumeURL !== "string" ||
    !Number.isInteger(session.sequence) ||
    !Number.isInteger(session.shardId) ||
    !Number.isInteger(session.shardCount)
  ) {
    return undefined;
  }
  return file as SessionFile;
}
