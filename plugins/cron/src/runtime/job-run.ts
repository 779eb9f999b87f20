import { randomBytes } from "node:crypto";
import { AlephError, chatIdForSessionKey, conversationTurn, errorMessage, type AgentService, type ChatService, type Logger } from "@aleph/plugin-sdk";
import type { CronClock } from "../clock.js";
import type { CronRunEvent, CronRunRecord } from "../service.js";
import type { CronState } from "./cron-state.js";
import type { RunHistory } from "./run-history.js";

/*
 * One run of a job: its message as a turn in the job's session (agent:<agent>:cron:<job>), through
 * conversationTurn — so the chat source of truth (chat cron-<job>) holds the message and the reply
 * too — under the run id as the turn's idempotency id. The run is marked in flight in state.json
 * for as long as it lasts: a stop or crash in the middle leaves the mark, and the next start
 * completes the run under the same id (answered once), instead of losing it or running it twice.
 */

/** Characters of the reply kept in the run history (the session keeps all of it). */
export const CRON_REPLY_MAX = 2000;

export interface RunRequest {
  job: string;
  agentId: string;
  sessionKey: string;
  text: string;
  runId: string;
  scheduledAt: number;
  manual: boolean;
  /** When it started (a run completed after a stop or crash: when it first started). */
  startedAt: number;
  /** Completing a run a stop or crash cut short. */
  resumed?: boolean;
}

export interface RunDeps {
  agent: () => AgentService | undefined;
  chat: () => ChatService | undefined;
  history: RunHistory;
  state: CronState;
  clock: CronClock;
  log: Logger;
  emit: (event: "cron.run.started" | "cron.run.finished", payload: Record<string, unknown>) => Promise<void>;
  redact: (text: string) => string;
  /** Aborted when the plugin stops: a run cut short by it stays in flight, to be completed at the next start. */
  stopping: AbortSignal;
}

/** A scheduled run's id, also its turn's idempotency id: one per planned time, so a run is answered once. */
export const scheduledRunId = (job: string, scheduledAt: number) => `cron:${job}:${scheduledAt}`;
/** A manual run's id: each asked-for run is a run of its own, whatever the clock says. */
export const manualRunId = (job: string, startedAt: number) => `cron:${job}:manual:${startedAt}-${randomBytes(3).toString("hex")}`;

/**
 * Runs `request` to its end and keeps its record; undefined when the plugin stopped it (it stays in
 * flight). `signal`: the caller of a manual run going away cancels the run (recorded as cancelled).
 */
export interface RunOptions {
  /** The caller of a manual run: its going away cancels the run. */
  signal?: AbortSignal;
  /** Where the run's events go as they happen (a manual run's caller). */
  push?: (event: CronRunEvent) => void;
  /** Called once the run's record is kept, before cron.run.finished is emitted: whoever hears of the end finds the job free. */
  settled?: () => void;
}

export async function executeRun(deps: RunDeps, request: RunRequest, options: RunOptions = {}): Promise<CronRunRecord | undefined> {
  const { job, agentId, sessionKey, runId, scheduledAt, manual, startedAt } = request;
  const started = performance.now();
  deps.state.update(job, (state) => ({ ...state, inFlight: { runId, scheduledAt, startedAt, manual, agentId, sessionKey, text: request.text } }));
  options.push?.({ type: "run.started", runId, job, agentId, sessionKey, scheduledAt, manual });
  deps.log.info(!request.resumed ? "cron run started" : "cron run resumed (cut short by a stop or crash)", { job, runId, agentId, sessionKey, scheduledAt, manual });
  await deps.emit("cron.run.started", { job, runId, agentId, sessionKey, scheduledAt, manual });

  const signal = options.signal ? AbortSignal.any([deps.stopping, options.signal]) : deps.stopping;
  const outcome = await answer(deps, request, signal, options.push);
  // Cut short by the plugin stopping: left in flight for the next start. A run its caller cancelled
  // (Ctrl-C on run-now) is over, whatever else stopped meanwhile: it is recorded, never resumed.
  if (deps.stopping.aborted && options.signal?.aborted !== true) {
    deps.log.info("cron run cut short by the plugin stopping; it is completed at the next start", { job, runId });
    return undefined;
  }
  const finishedAt = deps.clock.now();
  const ms = Math.round(performance.now() - started);
  const record: CronRunRecord = {
    runId,
    job,
    agentId,
    sessionKey,
    status: outcome.ok ? "ok" : "failed",
    ok: outcome.ok,
    scheduledAt,
    startedAt,
    finishedAt,
    ms,
    manual,
    ...(outcome.text !== undefined ? { text: cut(outcome.text) } : {}),
    ...(outcome.error !== undefined ? { error: deps.redact(outcome.error) } : {}),
    ...(outcome.code !== undefined ? { code: outcome.code } : {}),
    ...(request.resumed ? { resumed: true } : {}),
  };
  keep(deps, record);
  options.settled?.();
  options.push?.({ type: "run.finished", record });
  if (record.ok) deps.log.info("cron run finished", { job, runId, ms });
  else deps.log.warn("cron run failed", { job, runId, ms, code: record.code, error: record.error });
  await deps.emit("cron.run.finished", { job, runId, ok: record.ok, ms, ...(record.error !== undefined ? { error: record.error } : {}) });
  return record;
}

/** Writes a finished run's record and clears its in-flight mark. */
function keep(deps: RunDeps, record: CronRunRecord): void {
  try {
    deps.history.append(record);
  } catch (error) {
    deps.log.error("a cron run's record could not be written", { job: record.job, runId: record.runId, file: deps.history.fileOf(record.job), error });
  }
  deps.state.update(record.job, (state) => (state.inFlight?.runId === record.runId ? { ...state, inFlight: undefined } : state));
}

interface Outcome {
  ok: boolean;
  text?: string;
  error?: string;
  code?: string;
}

async function answer(deps: RunDeps, request: RunRequest, signal: AbortSignal, push?: (event: CronRunEvent) => void): Promise<Outcome> {
  const agent = deps.agent();
  if (!agent) {
    const error = new AlephError("ALEPH_E_DEPENDENCY", "no agent service is running, so the job cannot be answered");
    return { ok: false, error: error.message, code: error.code };
  }
  const chat = deps.chat();
  const turn = conversationTurn(
    { agent, ...(chat ? { chat } : {}), onChatError: (error) => deps.log.warn("the chat could not record a cron run's message", { job: request.job, runId: request.runId, error }) },
    { text: request.text, agentId: request.agentId, sessionKey: request.sessionKey, chatId: chatIdForSessionKey(request.sessionKey), from: `cron:${request.job}`, id: request.runId },
    { signal },
  );
  try {
    // Read to the end (not left at the last event): the turn finishes its own bookkeeping first.
    let outcome: Outcome = { ok: false, error: "the run was cancelled before the agent answered", code: "ALEPH_E_CANCELLED" };
    for await (const event of turn) {
      push?.(event);
      if (event.type === "turn.completed") outcome = { ok: true, text: event.text };
      if (event.type === "turn.failed") outcome = { ok: false, error: event.message, code: event.code };
    }
    return outcome;
  } catch (error) {
    const code = signal.aborted ? "ALEPH_E_CANCELLED" : ((error as AlephError).code ?? "ALEPH_E_CRON_RUN");
    return { ok: false, error: signal.aborted ? "the run was cancelled" : errorMessage(error), code };
  }
}

function cut(text: string): string {
  return text.length > CRON_REPLY_MAX ? `${text.slice(0, CRON_REPLY_MAX - 1)}…` : text;
}
