import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { appendJsonLine, mkdirPrivateSync, writeFileAtomicSync, type Logger, type ModelRequest } from "@aleph/plugin-sdk";

/*
 * A session's runtime artifacts (the openboa seed), under <root>/agents/<agentId>/:
 *   sessions/<sessionId>.jsonl  turn metadata, model calls, tool references: the session's log
 *   state/<sessionId>.json      the turn in flight (the recovery breadcrumb), and the last one
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
}

export class SessionArtifacts {
  readonly #dir: string;
  readonly #seenSystem = new Set<string>();

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
    mkdirPrivateSync(dir);
    return join(dir, `${this.sessionId}.${ext}`);
  }

  /** One line of the session log. */
  record(entry: Record<string, unknown>): void {
    this.#safely("session log", () => appendJsonLine(this.#file("sessions", "jsonl"), { ts: Date.now(), ...entry }));
  }

  writeState(state: SessionState): void {
    // fsync'd: this file is what recovery reads after a crash.
    this.#safely("state", () => writeFileAtomicSync(this.#file("state", "json"), `${JSON.stringify(state, null, 2)}\n`));
  }

  context(entry: Record<string, unknown>): void {
    this.#safely("context log", () => appendJsonLine(this.#file("context", "jsonl"), { ts: Date.now(), ...entry }));
  }

  /** One model request, redacted. The system prompt is written the first time its hash is seen in this file. */
  prompt(turnId: string, iteration: number, request: ModelRequest): void {
    this.#safely("prompt log", () => {
      const file = this.#file("prompts", "jsonl");
      let size = 0;
      try {
        size = statSync(file).size;
      } catch {
        // a new file
      }
      if (size >= this.options.promptLogMaxBytes) return;
      const systemText = JSON.stringify(request.system ?? null);
      const systemHash = createHash("sha256").update(systemText).digest("hex").slice(0, 16);
      if (this.#seenSystem.size === 0 && size > 0) this.#loadSeenHashes(file);
      const firstTime = !this.#seenSystem.has(systemHash);
      this.#seenSystem.add(systemHash);
      const { system: _system, ...rest } = request;
      const line = { ts: Date.now(), turnId, iteration, systemHash, ...(firstTime ? { system: request.system ?? null } : {}), request: rest };
      appendJsonLine(file, JSON.parse(this.options.redact(JSON.stringify(line))) as unknown);
    });
  }

  #loadSeenHashes(file: string): void {
    for (const line of readFileSync(file, "utf8").split("\n")) {
      const match = /"systemHash":"([0-9a-f]{16})","system"/.exec(line);
      if (match) this.#seenSystem.add(match[1]!);
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
