import {
  AlephError,
  compareStrings,
  formatSessionKey,
  parseSessionKey,
  toJsonText,
  validateId,
  type Logger,
  type SubagentHandle,
  type SubagentInfo,
  type SubagentsService,
} from "@aleph/plugin-sdk";
import type { SessionStore } from "./session-store.js";
import type { SwapManager } from "./swap-manager.js";

/*
 * SessionCoordinator: the lifecycle of sub-agent sessions `subagent:agent:<parent>:<name>`.
 *
 *   acquire ─▶ active ─release─▶ idle ─(swap_after_ms, or more than max_idle)─▶ swapped
 *                ▲                 │                                              │
 *                └─────acquire─────┴──────────────acquire (swap in)───────────────┘
 *
 * The context is any JSON value the sub-agent keeps between turns (its scratchpad, pending tool
 * calls); the conversation itself is the session in sessions.db. Contexts are held as checked
 * JSON text, so a swap round trip is byte-exact. Every operation runs through one queue: an
 * acquire can never race the swap-out of the same sub-agent. On unload every context still in
 * memory is swapped out, so a restart loses none; after a crash, a sub-agent comes back with the
 * context of its last swap-out (its swap file outlives swap-in, see SwapManager).
 */

export interface CoordinatorSettings {
  max_active: number;
  max_idle: number;
  swap_after_ms: number;
  max_context_bytes: number;
}

interface Entry {
  key: string;
  parentAgentId: string;
  name: string;
  state: SubagentInfo["state"];
  since: number;
  /** The context as JSON text; undefined while swapped out. */
  contextJson: string | undefined;
}

export interface CoordinatorOptions {
  /** The store, opened on first use. */
  store: () => SessionStore;
  swap: SwapManager;
  settings: CoordinatorSettings;
  log?: Pick<Logger, "info" | "warn">;
  now?: () => number;
}

function info(entry: Entry): SubagentInfo {
  return { key: entry.key, parentAgentId: entry.parentAgentId, name: entry.name, state: entry.state, since: entry.since };
}

export class SessionCoordinator implements SubagentsService {
  readonly #entries = new Map<string, Entry>();
  readonly #options: CoordinatorOptions;
  readonly #now: () => number;
  #queue: Promise<unknown> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: CoordinatorOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    for (const record of options.swap.list()) {
      this.#entries.set(record.key, { ...record, state: "swapped", since: record.swappedAt, contextJson: undefined });
    }
  }

  /** Runs `fn` after every queued operation (a failure does not block the ones after it). */
  #run<T>(fn: () => T | Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new AlephError("ALEPH_E_USAGE", "the subagents service has been unloaded", { fix: "get the service again" }));
    const next = this.#queue.then(fn, fn);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  #context(value: unknown): string {
    return toJsonText(value === undefined ? null : value, {
      what: "sub-agent context",
      root: "context",
      maxBytes: this.#options.settings.max_context_bytes,
      limitFix: "raise [sessions.subagents] max_context_bytes in config.toml",
    });
  }

  #keyOf(parentAgentId: string, name: string): string {
    validateId("parent agent id", parentAgentId);
    if (typeof name !== "string") throw new AlephError("ALEPH_E_USAGE", "sub-agent name must be a string", { fix: "pass a name such as translator" });
    return formatSessionKey({ kind: "subagent", agentId: parentAgentId, name });
  }

  #entry(key: string): Entry {
    const entry = this.#entries.get(key);
    if (!entry) throw new AlephError("ALEPH_E_NOT_FOUND", `no sub-agent "${key}"`, { fix: "acquire it first; `list` shows the known ones" });
    return entry;
  }

  #checkActiveLimit(): void {
    const active = [...this.#entries.values()].filter((e) => e.state === "active").length;
    if (active >= this.#options.settings.max_active) {
      throw new AlephError("ALEPH_E_LIMIT", `${active} sub-agents are active, the limit is ${this.#options.settings.max_active}`, {
        fix: "release one first, or raise [sessions.subagents] max_active in config.toml",
      });
    }
  }

  #handle(entry: Entry): SubagentHandle {
    return { ...info(entry), context: JSON.parse(entry.contextJson ?? "null") as unknown };
  }

  #ensureSession(key: string): void {
    const store = this.#options.store();
    if (!store.get(key)) store.create(key);
  }

  async #swapOut(entry: Entry): Promise<void> {
    const now = this.#now();
    await this.#options.swap.swapOut({ key: entry.key, parentAgentId: entry.parentAgentId, name: entry.name, contextJson: entry.contextJson ?? "null" }, now);
    entry.state = "swapped";
    entry.since = now;
    entry.contextJson = undefined;
  }

  create(parentAgentId: string, name: string, context?: unknown): Promise<SubagentHandle> {
    return this.#run(() => {
      const key = this.#keyOf(parentAgentId, name);
      if (this.#entries.has(key)) {
        throw new AlephError("ALEPH_E_DUPLICATE", `sub-agent "${key}" exists (${this.#entries.get(key)!.state})`, { fix: "acquire it instead" });
      }
      this.#checkActiveLimit();
      const contextJson = this.#context(context);
      this.#ensureSession(key);
      const entry: Entry = { key, parentAgentId, name, state: "active", since: this.#now(), contextJson };
      this.#entries.set(key, entry);
      return this.#handle(entry);
    });
  }

  acquire(parentAgentId: string, name: string): Promise<SubagentHandle> {
    return this.#run(() => {
      const key = this.#keyOf(parentAgentId, name);
      const entry = this.#entries.get(key);
      if (entry?.state === "active") {
        throw new AlephError("ALEPH_E_USAGE", `sub-agent "${key}" is already acquired`, { fix: "release it before acquiring it again" });
      }
      this.#checkActiveLimit();
      if (!entry) {
        this.#ensureSession(key);
        const created: Entry = { key, parentAgentId, name, state: "active", since: this.#now(), contextJson: "null" };
        this.#entries.set(key, created);
        return this.#handle(created);
      }
      if (entry.state === "swapped") entry.contextJson = this.#options.swap.swapIn(key).contextJson;
      entry.state = "active";
      entry.since = this.#now();
      return this.#handle(entry);
    });
  }

  update(key: string, context: unknown): Promise<SubagentInfo> {
    return this.#run(() => {
      const entry = this.#entry(key);
      if (entry.state !== "active") throw new AlephError("ALEPH_E_USAGE", `sub-agent "${key}" is ${entry.state}, not active`, { fix: "acquire it first" });
      entry.contextJson = this.#context(context);
      return info(entry);
    });
  }

  /** `context` null or undefined keeps the current context (JSON callers send an omitted argument as null; set a null context with update). */
  release(key: string, context?: unknown): Promise<SubagentInfo> {
    return this.#run(async () => {
      const entry = this.#entry(key);
      if (entry.state !== "active") throw new AlephError("ALEPH_E_USAGE", `sub-agent "${key}" is ${entry.state}, not active`, { fix: "only an acquired sub-agent can be released" });
      if (context !== undefined && context !== null) entry.contextJson = this.#context(context);
      entry.state = "idle";
      entry.since = this.#now();
      // Over max_idle: the longest-idle ones go to disk now.
      const idle = [...this.#entries.values()].filter((e) => e.state === "idle").sort((a, b) => a.since - b.since);
      for (const victim of idle.slice(0, Math.max(0, idle.length - this.#options.settings.max_idle))) await this.#swapOut(victim);
      return info(entry);
    });
  }

  list(parentAgentId?: string): Promise<SubagentInfo[]> {
    return this.#run(() =>
      [...this.#entries.values()]
        .filter((e) => parentAgentId === undefined || parentAgentId === null || e.parentAgentId === parentAgentId)
        .sort((a, b) => compareStrings(a.key, b.key))
        .map(info),
    );
  }

  swapOut(key: string): Promise<SubagentInfo> {
    return this.#run(async () => {
      const entry = this.#entry(key);
      if (entry.state === "active") throw new AlephError("ALEPH_E_USAGE", `sub-agent "${key}" is active; only idle ones are swapped out`, { fix: "release it first" });
      if (entry.state === "idle") await this.#swapOut(entry);
      return info(entry);
    });
  }

  remove(key: string): Promise<boolean> {
    return this.#run(() => {
      parseSessionKey(key);
      const entry = this.#entries.get(key);
      if (!entry) return false;
      if (entry.state === "active") throw new AlephError("ALEPH_E_USAGE", `sub-agent "${key}" is active`, { fix: "release it first" });
      // An idle sub-agent may still have a swap file from before it was acquired last (see SwapManager).
      this.#options.swap.remove(key);
      this.#entries.delete(key);
      return true;
    });
  }

  /** Swaps out every idle sub-agent idle for swap_after_ms or longer. */
  sweep(): Promise<number> {
    return this.#run(async () => {
      const cutoff = this.#now() - this.#options.settings.swap_after_ms;
      let swapped = 0;
      for (const entry of this.#entries.values()) {
        if (entry.state === "idle" && entry.since <= cutoff) {
          await this.#swapOut(entry);
          swapped += 1;
        }
      }
      return swapped;
    });
  }

  /** Sweeps on a timer (a quarter of swap_after_ms, between 50 ms and 10 s); restarted when the setting changes. */
  startTimer(): void {
    if (this.#timer) clearInterval(this.#timer);
    const every = Math.min(10_000, Math.max(50, Math.floor(this.#options.settings.swap_after_ms / 4)));
    this.#timer = setInterval(() => {
      this.sweep().catch((error: unknown) => this.#options.log?.warn("sub-agent swap-out failed; will retry", { error: (error as Error).message }));
    }, every);
    this.#timer.unref();
  }

  /** Stops the timer and swaps out every context still in memory (active ones too), so a restart keeps them. */
  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    const done = this.#run(async () => {
      for (const entry of this.#entries.values()) {
        if (entry.state !== "swapped") await this.#swapOut(entry);
      }
    });
    this.#closed = true;
    await done;
  }
}
