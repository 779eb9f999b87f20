import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { appendJsonLine, mkdirPrivateSync, writeFileAtomicSync, type BootstrapFileInfo, type Logger, type ModelRequest } from "@aleph/plugin-sdk";

/*
 * A session's runtime artifacts (the openboa seed), under <root>/agents/<agentId>/:
 *   sessions/<sessionId>.jsonl  turn metadata, model calls, tool references: the session's log
 *   state/<sessionId>.json      the turn in flight (the recovery breadcrumb), the last one, and the
 *                               session's frozen copies of its curated files (MEMORY.md, USER.md)
 *   prompts/<sessionId>.jsonl   each model request, secrets redacted; a system prompt is stored
 *                               once per content hash; stops growing at [agent] prompt_log_max_bytes
 *   context/<sessionId>.jsonl   what went into each turn's context and why, with sizes
 * The session store stays the source of truth for messages; these say how they came about.
 */

/** The breadcrumb of a turn that has begun and not ended: what `aleph start` completes after a crash. */
export interface InFlightTurn {
  turnId: string;
  agentId: string;
  sessionKey: string;
  userMessageId: string;
  text: string;
  startedAt: number;
  provider?: string;
  model?: string;
}

export interface SessionState {
  sessionKey: string;
  inFlight: InFlightTurn | null;
  lastTurn?: { turnId: string; endedAt: number; outcome: "completed" | "failed"; code?: string };
  /** The curated files as the session's first turn saw them (context-builder.ts FROZEN_FILES). */
  frozen?: Record<string, BootstrapFileInfo>;
}

/** Directories known to exist (created 0700 once per process, not on every write). */
const madeDirs = new Set<string>();

export class SessionArtifacts {
  readonly #dir: string;
  /** Hashes of the system prompts and tool lists already in this session's prompt log. */
  readonly #seen = new Set<string>();
  #seenLoaded = false;
  /** Files this process has appended to: their last line is its own, so the torn-tail check is skipped. */
  readonly #intact = new Set<string>();
  /** The newest session message already in the prompt log (later lines hold only what is newer). */
  #loggedThrough: number | undefined;
  #promptLogFull = false;
  #frozen: Map<string, BootstrapFileInfo> | undefined;

  constructor(
    root: string,
    readonly agentId: string,
    readonly sessionId: string,
    private readonly options: { redact: (text: string) => string; promptLogMaxBytes: number; log: Logger },
  ) {
    this.#dir = join(root, "agents", agentId);
  }

  #file(kind: "sessions" | "state" | "prompts" | "context", ext: "jsonl" | "json"): string {
    const dir = join(this.#dir, kind);
    if (!madeDirs.has(dir)) {
      mkdirPrivateSync(dir);
      madeDirs.add(dir);
    }
    return join(dir, `${this.sessionId}.${ext}`);
  }

  #append(file: string, value: unknown): void {
    appendJsonLine(file, value, { intact: this.#intact.has(file) });
    this.#intact.add(file);
  }

  /** One line of the session log. */
  record(entry: Record<string, unknown>): void {
    this.#safely("session log", () => this.#append(this.#file("sessions", "jsonl"), { ts: Date.now(), ...entry }));
  }

  /**
   * Atomic (a reader sees the old breadcrumb or the new), not fsync'd: it is rewritten twice a turn,
   * and a crash of the process — what recovery is for — cannot lose a completed rename.
   */
  writeState(state: SessionState): void {
    // Read before the file is replaced: the snapshot a previous process took is kept.
    const snapshot = this.frozenFiles();
    const frozen = snapshot.size > 0 ? { frozen: Object.fromEntries(snapshot) } : {};
    this.#safely("state", () => writeFileAtomicSync(this.#file("state", "json"), `${JSON.stringify({ ...state, ...frozen }, null, 2)}\n`, { durable: false }));
  }

  /**
   * The session's frozen curated files, read from its state file the first time (a session lives
   * across processes: `aleph talk` runs one turn each); the builder fills it, writeState keeps it.
   */
  frozenFiles(): Map<string, BootstrapFileInfo> {
    if (!this.#frozen) {
      this.#frozen = new Map();
      try {
        const state = JSON.parse(readFileSync(this.#file("state", "json"), "utf8")) as SessionState;
        for (const [name, file] of Object.entries(state.frozen ?? {})) this.#frozen.set(name, file);
      } catch {
        // no state yet (a new session), or unreadable: the snapshot is taken afresh
      }
    }
    return this.#frozen;
  }

  context(entry: Record<string, unknown>): void {
    this.#safely("context log", () => this.#append(this.#file("context", "jsonl"), { ts: Date.now(), ...entry }));
  }

  /**
   * One model request, redacted. The system prompt and the tool list are written the first time
   * their hash appears in the file (later lines carry the hash). Messages are written from the
   * first one this file has not seen (`history` says which stored messages the request held), so
   * the log grows with the conversation, not with its square. At `prompt_log_max_bytes` it stops,
   * saying so once in the log.
   */
  prompt(turnId: string, iteration: number, request: ModelRequest, history: { fromSeq: number; toSeq: number; count: number }, messagesSince: (seq: number | undefined) => number): void {
    this.#safely("prompt log", () => {
      if (this.#promptLogFull) return;
      const file = this.#file("prompts", "jsonl");
      let size = 0;
      try {
        size = statSync(file).size;
      } catch {
        // a new file
      }
      if (size >= this.options.promptLogMaxBytes) {
        this.#promptLogFull = true;
        this.options.log.warn(`the prompt log of session ${this.sessionId} reached [agent] prompt_log_max_bytes (${this.options.promptLogMaxBytes}); later requests are not logged`, { file });
        return;
      }
      if (!this.#seenLoaded && size > 0) this.#loadSeenHashes(file);
      this.#seenLoaded = true;
      const { system, tools, messages, ...options } = request;
      const systemHash = this.#hashOnce(system ?? null);
      const toolsHash = this.#hashOnce(tools ?? []);
      const fresh = messagesSince(this.#loggedThrough);
      const line = {
        ts: Date.now(),
        turnId,
        iteration,
        systemHash: systemHash.hash,
        ...(systemHash.first ? { system: system ?? null } : {}),
        toolsHash: toolsHash.hash,
        ...(toolsHash.first ? { tools: tools ?? [] } : {}),
        options,
        history,
        // The last `fresh` messages are new to this file; those before them are in earlier lines.
        messagesFrom: messages.length - fresh,
        messages: messages.slice(messages.length - fresh),
      };
      this.#append(file, JSON.parse(this.options.redact(JSON.stringify(line))) as unknown);
      this.#loggedThrough = history.toSeq;
    });
  }

  #hashOnce(value: unknown): { hash: string; first: boolean } {
    const hash = createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, 16);
    const first = !this.#seen.has(hash);
    this.#seen.add(hash);
    return { hash, first };
  }

  #loadSeenHashes(file: string): void {
    for (const line of readFileSync(file, "utf8").split("\n")) {
      for (const match of line.matchAll(/"(?:systemHash|toolsHash)":"([0-9a-f]{16})","(?:system|tools)"/g)) this.#seen.add(match[1]!);
    }
  }

  /** Artifacts are a record, not the conversation: failing to write one is logged, never fails the turn. */
  #safely(what: string, write: () => void): void {
    try {
      write();
    } catch (error) {
      this.options.log.warn(`could not write the ${what} of session ${this.sessionId}`, { error });
    }
  }
}

/** Every turn left in flight by a kernel that died: the state files whose breadcrumb is still set. */
export function findInterruptedTurns(root: string): InFlightTurn[] {
  const out: InFlightTurn[] = [];
  const agentsDir = join(root, "agents");
  let agents: string[];
  try {
    agents = readdirSync(agentsDir);
  } catch {
    return out;
  }
  for (const agent of agents) {
    let files: string[];
    try {
      files = readdirSync(join(agentsDir, agent, "state")).filter((f) => f.endsWith(".json"));
    } catch {
      continue;
    }
    for (const file of files) {
      try {
        const state = JSON.parse(readFileSync(join(agentsDir, agent, "state", file), "utf8")) as SessionState;
        if (state.inFlight && typeof state.inFlight.userMessageId === "string") out.push(state.inFlight);
      } catch {
        // A state file that does not parse holds no usable breadcrumb.
      }
    }
  }
  return out.sort((a, b) => a.startedAt - b.startedAt);
}
