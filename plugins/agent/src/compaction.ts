import { estimateTokens, MAX_HISTORY_LIMIT, type BeforeCompactionHook, type Logger, type ProvidersService, type SessionInfo, type SessionMessage, type SessionsService } from "@aleph/plugin-sdk";

/*
 * Compaction: when a session's tokens pass `compression_threshold`, its older history is summarised
 * by the model into one summary (stored with `sessions.compact`, shown to the model as reference
 * material, not instructions) and the recent part stays verbatim. It only happens when the summary
 * is smaller than what it replaces, so a compaction always brings the count down; a session where
 * it could not is not tried again until it has grown by a quarter, so a turn never loops on it.
 * Before-compaction hooks (memory's flush) run first, awaited.
 */

/** The share of the threshold kept verbatim after a compaction. */
export const KEEP_SHARE = 0.5;
const MAX_TRANSCRIPT_CHARS = 400_000;

const SUMMARY_PROMPT = `You compress conversations. Summarise the conversation below for the assistant who will continue it:
the user's goals and preferences, facts established, decisions made, tools used and what they returned
(results that still matter), and open questions. Be specific (names, numbers, paths). Write in the third
person; do not address the user; no preamble.`;

export interface CompactionDeps {
  sessions: SessionsService;
  providers: ProvidersService;
  hooks: Iterable<BeforeCompactionHook>;
  log: Logger;
}

export interface CompactionOutcome {
  compacted: boolean;
  before: number;
  after: number;
  reason?: string;
}

export class Compactor {
  /** Sessions where compaction did not help, and their token count then. */
  readonly #stuck = new Map<string, number>();

  constructor(private readonly deps: CompactionDeps) {}

  async maybeCompact(
    session: SessionInfo,
    options: { agentId: string; threshold: number; beforeSeq: number; providers?: string[]; provider?: string; signal?: AbortSignal },
  ): Promise<CompactionOutcome> {
    const before = session.tokenCount;
    if (before <= options.threshold) return { compacted: false, before, after: before };
    const stuckAt = this.#stuck.get(session.key);
    if (stuckAt !== undefined && before < stuckAt * 1.25) return { compacted: false, before, after: before, reason: "an earlier compaction of this session did not help" };
    const stored = await this.deps.sessions.history(session.key, { limit: MAX_HISTORY_LIMIT });
    const older = olderPart(stored.filter((m) => m.seq < options.beforeSeq), Math.floor(options.threshold * KEEP_SHARE));
    if (older.length < 2) return this.#stuckAt(session.key, before, "too little old history to summarise");
    const upTo = older[older.length - 1]!.seq;
    for (const hook of this.deps.hooks) {
      try {
        await hook({ agentId: options.agentId, sessionKey: session.key, upToSeq: upTo, ...(options.signal ? { signal: options.signal } : {}) });
      } catch (error) {
        this.deps.log.warn("a before-compaction hook failed; compacting anyway", { sessionKey: session.key, error });
      }
    }
    const replacedTokens = older.reduce((n, m) => n + m.tokens, 0);
    const response = await this.#summarise(session.key, before, () => this.deps.providers.complete(
      { system: SUMMARY_PROMPT, messages: [{ role: "user", content: transcript(older) }], maxTokens: Math.min(4096, Math.max(256, Math.floor(replacedTokens / 4))) },
      { ...(options.provider ? { provider: options.provider } : options.providers ? { providers: options.providers } : {}), ...(options.signal ? { signal: options.signal } : {}) },
    ));
    const summary = response.text.trim();
    if (!summary || estimateTokens({ content: summary }) >= replacedTokens) return this.#stuckAt(session.key, before, "the summary was not smaller than the history it would replace");
    const result = await this.deps.sessions.compact(session.key, { upTo, summary: { role: "system", content: summary, meta: { compaction: true, provider: response.provider, model: response.model } } });
    this.#stuck.delete(session.key);
    this.deps.log.info("session compacted", { sessionKey: session.key, replaced: result.replaced, before, after: result.session.tokenCount });
    return { compacted: true, before, after: result.session.tokenCount };
  }

  /** The model's summary; a failure marks the session stuck (not retried until it grows) and is rethrown. */
  async #summarise<T>(key: string, tokens: number, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      this.#stuck.set(key, tokens);
      throw error;
    }
  }

  #stuckAt(key: string, tokens: number, reason: string): CompactionOutcome {
    this.#stuck.set(key, tokens);
    this.deps.log.warn("session not compacted", { sessionKey: key, tokens, reason });
    return { compacted: false, before: tokens, after: tokens, reason };
  }
}

/**
 * The messages to summarise: everything before the newest part that fits `keepTokens`, where the
 * kept part starts at a user message (so no tool call is separated from its result).
 */
export function olderPart(messages: SessionMessage[], keepTokens: number): SessionMessage[] {
  let start = messages.length;
  let kept = 0;
  while (start > 0 && kept + messages[start - 1]!.tokens <= keepTokens) kept += messages[--start]!.tokens;
  while (start > 0 && start < messages.length && messages[start]!.role !== "user") start++;
  return messages.slice(0, start);
}

/** The older messages as a plain transcript for the summariser (the newest part when it is too long). */
export function transcript(messages: SessionMessage[]): string {
  const lines = messages.map((m) => {
    const text = typeof m.content === "string" ? m.content : JSON.stringify(m.content);
    const calls = (m.meta as { toolCalls?: { name: string; arguments: unknown }[] } | undefined)?.toolCalls;
    const who = m.summaryOf ? "Earlier summary" : m.role === "tool" ? `Tool ${m.name ?? ""} returned` : m.role === "assistant" ? "Assistant" : m.role === "user" ? "User" : "Note";
    const asked = calls?.length ? ` [called ${calls.map((c) => `${c.name}(${JSON.stringify(c.arguments)})`).join(", ")}]` : "";
    return `${who}: ${text}${asked}`;
  });
  const all = lines.join("\n\n");
  return all.length <= MAX_TRANSCRIPT_CHARS ? all : `[… earlier part left out]\n${all.slice(all.length - MAX_TRANSCRIPT_CHARS)}`;
}
