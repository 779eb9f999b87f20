import { AlephError, chatIdForSessionKey, conversationTurn, errorMessage, isAlephError, type AgentService, type AgentTurnEvent, type ChatService, type Logger, type ModelUsage } from "@aleph/plugin-sdk";
import type { RpcClient } from "../rpc/client.js";

/*
 * chat.send's turns, by idempotency key (docs/gateway.md, "chat.send"). A key names one message:
 * sending it again runs no second turn — the first turn's result comes back (`replayed: true`) and
 * its final reply is streamed again; while the first still runs, the repeat waits for it. Answered
 * keys are remembered for a while (TTL, and a bound on how many); past that the agent's own
 * idempotency (the message id is the key) still answers from the session without a model call.
 * A turn that failed or was cancelled is forgotten at once, so a retry runs it again.
 */

type Terminal = Extract<AgentTurnEvent, { type: "turn.completed" | "turn.failed" }>;
type Started = Extract<AgentTurnEvent, { type: "turn.started" }>;

export interface TurnRequest {
  sessionKey: string;
  agentId: string;
  message: string;
  idempotencyKey: string;
  client: RpcClient;
}

export type TurnResult =
  | { idempotencyKey: string; sessionKey: string; turnId: string | undefined; ok: true; text: string; usage: ModelUsage; provider: string; model: string; ms: number; replayed: boolean }
  | { idempotencyKey: string; sessionKey: string; turnId: string | undefined; ok: false; code: string; message: string; fix?: string; replayed: boolean };

export interface TurnServices {
  agent: AgentService;
  chat: ChatService | undefined;
}

export interface TurnRegistryOptions {
  log: Logger;
  /** Aborted when the gateway stops: every turn stops with it. */
  signal: AbortSignal;
  /** How long an answered key is remembered (ms). */
  ttlMs?: number;
  /** How many answered keys are remembered at most. */
  remember?: number;
  /** chat.send calls one connection may have running at once. */
  perConnection?: number;
}

interface Entry {
  sessionKey: string;
  idempotencyKey: string;
  controller: AbortController;
  started?: Started;
  terminal?: Terminal;
  finishedAt?: number;
  /** Resolves when the turn has ended (its terminal is set). */
  done: Promise<void>;
}

export const MAX_TURNS_PER_CONNECTION = 16;

export class TurnRegistry {
  readonly #entries = new Map<string, Entry>();
  readonly #log: Logger;
  readonly #signal: AbortSignal;
  readonly #ttlMs: number;
  readonly #remember: number;
  readonly #perConnection: number;

  constructor(options: TurnRegistryOptions) {
    this.#log = options.log;
    this.#signal = options.signal;
    this.#ttlMs = options.ttlMs ?? 10 * 60_000;
    this.#remember = options.remember ?? 1024;
    this.#perConnection = options.perConnection ?? MAX_TURNS_PER_CONNECTION;
  }

  /** Runs the message's turn (or replays the one its key already had) and resolves with the result. */
  async send(request: TurnRequest, services: TurnServices): Promise<TurnResult> {
    this.#sweep(Date.now());
    const id = entryId(request.sessionKey, request.idempotencyKey);
    const existing = this.#entries.get(id);
    if (existing) {
      await existing.done;
      return this.#replay(existing, request.client);
    }
    if (request.client.runningTurns >= this.#perConnection) {
      throw new AlephError("ALEPH_E_LIMIT", `this connection has ${this.#perConnection} chat.send calls running already`, { fix: "wait for one to answer (or chat.abort it) before sending more" });
    }
    let finish!: () => void;
    const entry: Entry = { sessionKey: request.sessionKey, idempotencyKey: request.idempotencyKey, controller: new AbortController(), done: new Promise<void>((resolve) => (finish = resolve)) };
    this.#entries.set(id, entry);
    request.client.runningTurns++;
    try {
      await this.#run(entry, request, services);
    } finally {
      request.client.runningTurns--;
      entry.finishedAt = Date.now();
      // Only an answer is remembered: a failed or cancelled turn may be sent again.
      if (entry.terminal?.type !== "turn.completed") this.#entries.delete(id);
      finish();
    }
    return resultOf(entry, entry.terminal?.type === "turn.completed" && entry.terminal.iterations === 0);
  }

  /** Stops the running turns of a key (any session) or of a session; how many. */
  abort(match: { idempotencyKey: string } | { sessionKey: string }): number {
    let aborted = 0;
    for (const entry of this.#entries.values()) {
      if (entry.finishedAt !== undefined || entry.controller.signal.aborted) continue;
      const hit = "idempotencyKey" in match ? entry.idempotencyKey === match.idempotencyKey : entry.sessionKey === match.sessionKey;
      if (!hit) continue;
      entry.controller.abort(new Error("chat.abort"));
      aborted++;
    }
    return aborted;
  }

  /** Turns running now. */
  running(): number {
    let n = 0;
    for (const entry of this.#entries.values()) if (entry.finishedAt === undefined) n++;
    return n;
  }

  async #run(entry: Entry, request: TurnRequest, services: TurnServices): Promise<void> {
    const signal = AbortSignal.any([entry.controller.signal, request.client.signal, this.#signal]);
    let seq = 0;
    const emit = (event: AgentTurnEvent) => request.client.notify("chat.event", { idempotencyKey: entry.idempotencyKey, sessionKey: entry.sessionKey, seq: ++seq, event });
    const input = {
      text: request.message,
      agentId: request.agentId,
      sessionKey: request.sessionKey,
      chatId: chatIdForSessionKey(request.sessionKey),
      from: "gateway",
      id: request.idempotencyKey,
    };
    const onChatError = (error: unknown) => this.#log.warn("the chat record of a gateway turn failed (the session holds it)", { sessionKey: entry.sessionKey, error });
    try {
      for await (const event of conversationTurn({ agent: services.agent, chat: services.chat, onChatError }, input, { signal })) {
        if (event.type === "turn.started") entry.started = event;
        if (event.type === "turn.completed" || event.type === "turn.failed") entry.terminal = event;
        emit(event);
      }
    } catch (error) {
      if (!entry.terminal) {
        entry.terminal = signal.aborted ? cancelled(entry) : { type: "turn.failed", turnId: entry.started?.turnId ?? "", code: isAlephError(error) ? error.code : "ALEPH_E_AGENT", message: errorMessage(error), ...(isAlephError(error) && error.fix ? { fix: error.fix } : {}) };
        emit(entry.terminal);
      }
      return;
    }
    if (!entry.terminal) {
      // A stream that ends without its last event was cut short: by an abort, or a stopping agent.
      entry.terminal = signal.aborted ? cancelled(entry) : { type: "turn.failed", turnId: entry.started?.turnId ?? "", code: "ALEPH_E_AGENT", message: "the turn ended without an answer" };
      emit(entry.terminal);
    }
  }

  /** The first turn's answer again, to a repeat of its key: started, the whole reply, the end. */
  #replay(entry: Entry, client: RpcClient): TurnResult {
    let seq = 0;
    const emit = (event: AgentTurnEvent) => client.notify("chat.event", { idempotencyKey: entry.idempotencyKey, sessionKey: entry.sessionKey, seq: ++seq, event });
    const terminal = entry.terminal!;
    const agentId = entry.sessionKey.split(":")[1] ?? "main";
    emit(entry.started ?? { type: "turn.started", turnId: terminal.turnId, agentId, sessionKey: entry.sessionKey });
    if (terminal.type === "turn.completed") emit({ type: "text", text: terminal.text });
    emit(terminal);
    return resultOf(entry, true);
  }

  #sweep(now: number): void {
    let answered = 0;
    for (const entry of this.#entries.values()) if (entry.finishedAt !== undefined) answered++;
    for (const [id, entry] of this.#entries) {
      if (entry.finishedAt === undefined) continue;
      if (now - entry.finishedAt > this.#ttlMs || answered > this.#remember) {
        this.#entries.delete(id);
        answered--;
      }
    }
  }
}

function entryId(sessionKey: string, idempotencyKey: string): string {
  return `${sessionKey}\u0000${idempotencyKey}`;
}

function cancelled(entry: Entry): Terminal {
  return { type: "turn.failed", turnId: entry.started?.turnId ?? "", code: "ALEPH_E_CANCELLED", message: "the turn was cancelled" };
}

function resultOf(entry: Entry, replayed: boolean): TurnResult {
  const t = entry.terminal!;
  const base = { idempotencyKey: entry.idempotencyKey, sessionKey: entry.sessionKey, turnId: t.turnId || entry.started?.turnId };
  if (t.type === "turn.completed") return { ...base, ok: true, text: t.text, usage: t.usage, provider: t.provider, model: t.model, ms: t.ms, replayed };
  return { ...base, ok: false, code: t.code, message: t.message, ...(t.fix ? { fix: t.fix } : {}), replayed };
}
