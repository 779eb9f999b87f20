import { randomUUID } from "node:crypto";
import {
  AlephError,
  errorMessage,
  isAlephError,
  MAX_HISTORY_LIMIT,
  modelError,
  parseSessionKey,
  validateId,
  type AgentTurnEvent,
  type AgentTurnInput,
  type BeforeCompactionHook,
  type Logger,
  type ModelMessage,
  type ModelRequest,
  type ModelResponse,
  type ModelUsage,
  type PluginEvents,
  type ProvidersService,
  type SessionMessage,
  type SessionsService,
  type ToolsService,
} from "@aleph/plugin-sdk";
import { Compactor } from "./compaction.js";
import type { AgentConfig } from "./config.js";
import { attachTurnBlocks, buildContext, type ContextSources } from "./context-builder.js";
import { fitHistory, pendingToolCalls, toModelMessages, type AssistantMeta } from "./history.js";
import { SessionArtifacts } from "./runtime-artifacts.js";
import { SessionQueue } from "./session-queue.js";
import { forwardApprovals } from "./approval-events.js";
import { offeredTools, runToolCalls, toolsSettled, type ToolResult } from "./tool-calls.js";

/*
 * One turn: the user's message is stored (with its idempotency id), the context is built, the model
 * is called; each step's tool calls run (concurrently, results stored in order) and the model is
 * called again, at most `max_iterations` times, then once more without tools for a final answer.
 * Every message is stored as it happens and the turn's breadcrumb (state/<sessionId>.json) is set
 * until it ends, so a crash loses at most the step in flight and the next `aleph start` completes
 * the turn: a message accepted here is answered exactly once.
 */

export interface TurnDeps {
  root: string;
  config: () => AgentConfig;
  sessions: () => SessionsService;
  providers: () => ProvidersService;
  tools: () => ToolsService | undefined;
  context: () => Omit<ContextSources, "log">;
  hooks: Iterable<BeforeCompactionHook>;
  events: PluginEvents;
  log: Logger;
  redact: (text: string) => string;
  /** True while the plugin unloads (kernel stopping, reload): a turn cut short then keeps its breadcrumb and is completed later. */
  stopping: () => boolean;
}

type Push = (event: AgentTurnEvent) => void;
type Turn = AgentTurnInput & { agentId: string; sessionKey: string; turnId: string };

interface TurnResult {
  text: string;
  usage: ModelUsage;
  iterations: number;
  provider: string;
  model: string;
}

const addUsage = (a: ModelUsage, b: ModelUsage | undefined): ModelUsage => (b ? { inputTokens: a.inputTokens + b.inputTokens, outputTokens: a.outputTokens + b.outputTokens } : a);

export class TurnRunner {
  readonly #queue = new SessionQueue();
  readonly #compactors = new WeakMap<SessionsService, Compactor>();
  /** Each session's artifact writer, kept between turns (it remembers what its logs already hold). */
  readonly #artifacts = new Map<string, SessionArtifacts>();

  constructor(private readonly deps: TurnDeps) {}

  /** Runs a turn after the session's earlier ones; failures end it with `turn.failed`, never a throw. */
  run(input: AgentTurnInput, push: Push, signal: AbortSignal): Promise<void> {
    const agentId = input.agentId ?? "main";
    const turn: Turn = { ...input, agentId, sessionKey: input.sessionKey ?? `agent:${agentId}:main`, turnId: randomUUID() };
    return this.#queue.run(turn.sessionKey, () => this.#run(turn, push, signal));
  }

  async #run(turn: Turn, push: Push, signal: AbortSignal): Promise<void> {
    const { agentId, sessionKey, turnId } = turn;
    const started = performance.now();
    const { log, events } = this.deps;
    const holder: { artifacts?: SessionArtifacts } = {};
    push({ type: "turn.started", turnId, agentId, sessionKey });
    await events.emit("agent.turn.started", { turnId, agentId, sessionKey });
    const approvals = forwardApprovals(events, sessionKey, push);
    try {
      checkInput(turn);
      const result = await this.#answer(turn, push, signal, holder);
      const ms = Math.round(performance.now() - started);
      holder.artifacts?.record({ type: "turn.completed", turnId, ms, iterations: result.iterations, usage: result.usage, provider: result.provider, model: result.model });
      holder.artifacts?.writeState({ sessionKey, inFlight: null, lastTurn: { turnId, endedAt: Date.now(), outcome: "completed" } });
      push({ type: "turn.completed", turnId, text: result.text, usage: result.usage, ms, iterations: result.iterations, provider: result.provider, model: result.model });
      log.info("turn completed", { turnId, agentId, sessionKey, ms, iterations: result.iterations, provider: result.provider, model: result.model, usage: result.usage });
      await events.emit("agent.turn.completed", { turnId, agentId, sessionKey, usage: result.usage, ms, iterations: result.iterations });
    } catch (error) {
      const code = signal.aborted ? "ALEPH_E_CANCELLED" : isAlephError(error) ? error.code : "ALEPH_E_AGENT";
      const message = signal.aborted ? "the turn was cancelled" : errorMessage(error);
      const fix = isAlephError(error) ? error.fix : undefined;
      // A turn that failed or that its caller cancelled has been answered (with its failure): nothing
      // to recover. One cut short because Aleph is stopping keeps its breadcrumb for the next start.
      holder.artifacts?.record({ type: "turn.failed", turnId, code, message, ...(this.deps.stopping() ? { interrupted: true } : {}) });
      if (!this.deps.stopping()) holder.artifacts?.writeState({ sessionKey, inFlight: null, lastTurn: { turnId, endedAt: Date.now(), outcome: "failed", code } });
      push({ type: "turn.failed", turnId, code, message, ...(fix ? { fix } : {}) });
      // A cancelled turn is what its caller asked for: worth a line in agent.log, not a warning.
      (code === "ALEPH_E_CANCELLED" ? log.info : log.warn).call(log, "turn failed", { turnId, agentId, sessionKey, code, message });
      await events.emit("agent.turn.failed", { turnId, agentId, sessionKey, code, message });
    } finally {
      approvals.dispose();
    }
  }

  async #answer(turn: Turn, push: Push, signal: AbortSignal, holder: { artifacts?: SessionArtifacts }): Promise<TurnResult> {
    const { agentId, sessionKey, turnId } = turn;
    const config = this.deps.config();
    const sessions = this.deps.sessions();
    const userId = turn.id ?? `turn-${turnId}`;
    const appended = await sessions.append(sessionKey, { role: "user", content: turn.text, id: userId, meta: { turnId } });
    const userSeq = appended.messages[0]!.seq;
    const artifacts = this.#artifactsOf(agentId, appended.session.id, config.prompt_log_max_bytes);
    holder.artifacts = artifacts;
    // A message stored before (a retried request, a re-delivered update, a turn a crash cut short):
    // its answer, when there is one, is the answer; otherwise the turn goes on from what was stored.
    const resumed = (appended.messages[0]!.meta as { turnId?: string } | undefined)?.turnId !== turnId;
    if (resumed) {
      const earlier = await this.#storedAnswer(sessionKey, userId, userSeq);
      if (earlier) return { ...earlier, iterations: 0 };
    }
    artifacts.writeState({ sessionKey, inFlight: { turnId, agentId, sessionKey, userMessageId: userId, text: turn.text, startedAt: Date.now(), ...(turn.provider ? { provider: turn.provider } : {}), ...(turn.model ? { model: turn.model } : {}) } });
    artifacts.record({ type: "turn.started", turnId, userMessageId: userId, userSeq, resumed });

    const perAgent = config.agents[agentId];
    const providerOrder = perAgent?.providers ?? config.providers;
    if (config.enable_compression) {
      try {
        await this.#compactor(sessions).maybeCompact(appended.session, { agentId, threshold: config.compression_threshold, beforeSeq: userSeq, ...(turn.provider ? { provider: turn.provider } : providerOrder ? { providers: providerOrder } : {}), signal });
      } catch (error) {
        if (signal.aborted) throw error;
        // A summary the model could not write costs the compaction, not the answer: the turn goes
        // on with the history as it is (fitted to the budget), and the log says why.
        this.deps.log.warn("compaction failed; answering without it", { sessionKey, error });
      }
    }
    const context = await buildContext(agentId, sessionKey, turn.text, { ...this.deps.context(), log: this.deps.log, frozen: artifacts.frozenFiles() }, signal);
    artifacts.context({ turnId, parts: context.parts });
    await toolsSettled(this.deps.tools(), this.deps.log, sessionKey);
    const tools = offeredTools(this.deps.tools(), perAgent);
    if (resumed) await this.#runPendingTools(turn, userSeq, tools, push, signal, artifacts);

    let usage: ModelUsage = { inputTokens: 0, outputTokens: 0 };
    for (let iteration = 1; ; iteration++) {
      const final = iteration > config.max_iterations;
      const history = await this.#history(sessionKey, userSeq, context.turnText, config.token_budget);
      const request: ModelRequest = {
        ...(context.system.length ? { system: context.system } : {}),
        messages: history.messages,
        ...(tools.length && !final ? { tools: tools.map(({ name, description, parameters }) => ({ name, description, parameters })) } : {}),
        maxTokens: config.max_tokens,
        ...(config.temperature !== undefined ? { temperature: config.temperature } : {}),
        thinking: config.thinking_level,
        ...(turn.model ? { model: turn.model } : {}),
      };
      artifacts.prompt(turnId, iteration, request, history.range, (seq) => (seq === undefined ? history.messages.length : toModelMessages(history.kept.filter((m) => m.seq > seq)).length));
      const callStarted = performance.now();
      const response = await this.#callModel(request, turn.provider, providerOrder, push, signal);
      usage = addUsage(usage, response.usage);
      const calls = final ? [] : response.toolCalls;
      const callMs = Math.round(performance.now() - callStarted);
      artifacts.record({ type: "model.call", turnId, iteration, provider: response.provider, model: response.model, ms: callMs, usage: response.usage ?? null, stopReason: response.stopReason, toolCalls: calls.map((c) => ({ id: c.id, name: c.name })) });
      this.deps.log.info("model call", { turnId, sessionKey, iteration, provider: response.provider, model: response.model, ms: callMs, usage: response.usage, stopReason: response.stopReason });
      const meta: AssistantMeta & Record<string, unknown> = {
        turnId,
        replyTo: userId,
        provider: response.provider,
        model: response.model,
        stopReason: response.stopReason,
        ...(response.usage ? { usage: response.usage } : {}),
        ...(calls.length ? { toolCalls: calls } : {}),
        ...(response.thinking.length ? { thinking: response.thinking } : {}),
      };
      await sessions.append(sessionKey, { role: "assistant", content: response.text, meta, ...(response.usage?.outputTokens ? { tokens: response.usage.outputTokens } : {}) });
      if (calls.length === 0) return { text: response.text, usage, iterations: iteration, provider: response.provider, model: response.model };
      const results = await runToolCalls(this.deps.tools(), calls, tools, { agentId, sessionKey, signal, interactive: turn.interactive === true }, push, this.deps);
      await this.#storeResults(turn, results, signal, artifacts);
    }
  }

  async #storeResults(turn: Turn, results: ToolResult[], signal: AbortSignal, artifacts: SessionArtifacts): Promise<void> {
    if (signal.aborted) throw new AlephError("ALEPH_E_CANCELLED", "the turn was cancelled");
    for (const r of results) artifacts.record({ type: "tool.result", turnId: turn.turnId, toolCallId: r.id, name: r.name, ok: r.ok, chars: r.content.length });
    await this.deps.sessions().append(
      turn.sessionKey,
      results.map((r) => ({ role: "tool" as const, name: r.name, content: r.content, meta: { turnId: turn.turnId, toolCallId: r.id, ...(r.ok ? {} : { isError: true }) } })),
    );
  }

  /** Resuming a turn a crash cut short: the tool calls of its last step whose results were not stored run now (those stored never run again). */
  async #runPendingTools(turn: Turn, userSeq: number, tools: ReturnType<typeof offeredTools>, push: Push, signal: AbortSignal, artifacts: SessionArtifacts): Promise<void> {
    const stored = await this.deps.sessions().history(turn.sessionKey, { limit: MAX_HISTORY_LIMIT });
    const pending = pendingToolCalls(stored.filter((m) => m.seq > userSeq));
    if (pending.length === 0) return;
    this.deps.log.info("resuming a turn: running the tool calls whose results were not stored", { sessionKey: turn.sessionKey, tools: pending.map((c) => c.name) });
    const results = await runToolCalls(this.deps.tools(), pending, tools, { agentId: turn.agentId, sessionKey: turn.sessionKey, signal, interactive: turn.interactive === true }, push, this.deps);
    await this.#storeResults(turn, results, signal, artifacts);
  }

  #compactor(sessions: SessionsService): Compactor {
    let compactor = this.#compactors.get(sessions);
    if (!compactor) {
      compactor = new Compactor({ sessions, providers: this.deps.providers(), hooks: this.deps.hooks, log: this.deps.log });
      this.#compactors.set(sessions, compactor);
    }
    return compactor;
  }

  /** One model call, its deltas pushed as they come; the assembled response, or the provider's error thrown. */
  async #callModel(request: ModelRequest, provider: string | undefined, order: string[] | undefined, push: Push, signal: AbortSignal): Promise<ModelResponse> {
    const stream = this.deps.providers().stream(request, { ...(provider ? { provider } : order ? { providers: order } : {}), signal });
    for await (const event of stream) {
      switch (event.type) {
        case "text":
          push({ type: "text", text: event.text });
          break;
        case "thinking":
          push({ type: "thinking", text: event.text });
          break;
        case "failover":
          push(event);
          this.deps.log.warn(`provider ${event.from} failed, moving on to ${event.to}: ${event.reason}`, { from: event.from, to: event.to, reason: event.reason });
          break;
        case "done":
          return event.response;
        case "error":
          throw modelError(event.error);
      }
    }
    throw new AlephError("ALEPH_E_PROVIDER_STREAM", "the model call ended without an answer");
  }

  /** The history sent to the model: stored messages within the budget, this turn's context on the user's message. */
  async #history(sessionKey: string, userSeq: number, turnText: string, budget: number): Promise<{ messages: ModelMessage[]; kept: SessionMessage[]; range: { fromSeq: number; toSeq: number; count: number } }> {
    const kept = fitHistory(await this.#recent(sessionKey, budget), budget);
    const range = { fromSeq: kept[0]?.seq ?? 0, toSeq: kept.at(-1)?.seq ?? 0, count: kept.length };
    const index = kept.findIndex((m) => m.seq === userSeq);
    if (!turnText || index < 0) return { messages: toModelMessages(kept), kept, range };
    // The turn's context goes on this turn's user message only, so earlier turns stay byte-identical.
    const upToUser = toModelMessages(kept.slice(0, index + 1));
    const target = upToUser[upToUser.length - 1];
    if (target?.role === "user") target.content = attachTurnBlocks(target.content, turnText);
    return { messages: [...upToUser, ...toModelMessages(kept.slice(index + 1))], kept, range };
  }

  /**
   * The newest stored messages, enough to fill `budget` tokens (and one more, so fitHistory can
   * see where the budget ends): read a page at a time from the end, so a long session costs what
   * the budget holds, not its whole length.
   */
  async #recent(sessionKey: string, budget: number): Promise<SessionMessage[]> {
    const sessions = this.deps.sessions();
    let out: SessionMessage[] = [];
    let tokens = 0;
    for (let before: number | undefined, page = 64; ; page = Math.min(page * 4, MAX_HISTORY_LIMIT)) {
      const older = await sessions.history(sessionKey, { limit: page, ...(before !== undefined ? { before } : {}) });
      out = [...older, ...out];
      for (const m of older) tokens += m.tokens;
      if (older.length < page || tokens > budget) return out;
      before = older[0]!.seq;
    }
  }

  #artifactsOf(agentId: string, sessionId: string, promptLogMaxBytes: number): SessionArtifacts {
    let artifacts = this.#artifacts.get(sessionId);
    if (!artifacts) {
      artifacts = new SessionArtifacts(this.deps.root, agentId, sessionId, { redact: this.deps.redact, promptLogMaxBytes, log: this.deps.log });
      // Bounded: a kernel serving many sessions keeps the most recent ones.
      if (this.#artifacts.size >= 1000) this.#artifacts.delete(this.#artifacts.keys().next().value!);
      this.#artifacts.set(sessionId, artifacts);
    }
    return artifacts;
  }

  /** A final answer already stored for the user message `userId`, if any. */
  async #storedAnswer(sessionKey: string, userId: string, userSeq: number): Promise<Omit<TurnResult, "iterations"> | undefined> {
    const stored = await this.deps.sessions().history(sessionKey, { limit: MAX_HISTORY_LIMIT });
    const answer = stored.find((m: SessionMessage) => m.seq > userSeq && m.role === "assistant" && (m.meta as AssistantMeta | undefined)?.replyTo === userId && !(m.meta as AssistantMeta).toolCalls?.length);
    if (!answer) return undefined;
    const meta = answer.meta as { provider?: string; model?: string };
    return { text: typeof answer.content === "string" ? answer.content : JSON.stringify(answer.content), usage: { inputTokens: 0, outputTokens: 0 }, provider: meta.provider ?? "", model: meta.model ?? "" };
  }
}

function checkInput(turn: Turn): void {
  if (typeof turn.text !== "string" || turn.text.trim() === "") throw new AlephError("ALEPH_E_USAGE", "the message is empty", { fix: 'say something: aleph talk -m "hello"' });
  validateId("agent id", turn.agentId);
  parseSessionKey(turn.sessionKey);
}
