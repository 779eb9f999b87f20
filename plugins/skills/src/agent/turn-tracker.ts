import type { SkillSet } from "../skill-set.js";

/*
 * The agent's turns as the skills plugin follows them (agent.turn.started / completed / failed):
 * each running turn holds the SkillSet it started with — its system prompt, auto-match and every
 * skill_read resolve against that one set — and the skills it loaded, recorded as uses in
 * evolution.db and closed with the turn's outcome.
 */

export type UseVia = "read" | "auto" | "invoke";
export type TurnOutcome = "completed" | "failed" | "cancelled";

/** Where uses are written (evolution.db, opened on the first one). */
export interface UseLog {
  recordUse(use: { skill: string; agentId: string; sessionKey: string; turnId: string; via: UseVia; at: number }): unknown;
  endTurn(turnId: string, end: { outcome: TurnOutcome; error?: string; at: number }): unknown;
}

interface RunningTurn {
  turnId: string;
  agentId: string;
  set: SkillSet;
  used: Set<string>;
}

export class TurnTracker {
  /** Running turns by session key: a session runs one turn at a time. */
  readonly #turns = new Map<string, RunningTurn>();

  constructor(
    private readonly current: () => SkillSet,
    private readonly log: () => Promise<UseLog>,
  ) {}

  started(turnId: string, agentId: string, sessionKey: string): void {
    this.#turns.set(sessionKey, { turnId, agentId, set: this.current(), used: new Set() });
    // Bounded: turns whose end was never seen (a crash mid-turn, an unload) must not pile up.
    if (this.#turns.size > 1000) this.#turns.delete(this.#turns.keys().next().value!);
  }

  /** The skills a session's running turn sees; the current ones outside a turn. */
  setFor(sessionKey: string | undefined): SkillSet {
    return (sessionKey ? this.#turns.get(sessionKey)?.set : undefined) ?? this.current();
  }

  /** A skill loaded into a session's running turn; outside a turn (a tool called from the CLI) nothing is recorded. */
  async used(sessionKey: string | undefined, skill: string, via: UseVia): Promise<void> {
    const turn = sessionKey ? this.#turns.get(sessionKey) : undefined;
    if (!turn || turn.used.has(skill)) return;
    turn.used.add(skill);
    await (await this.log()).recordUse({ skill, agentId: turn.agentId, sessionKey: sessionKey!, turnId: turn.turnId, via, at: Date.now() });
  }

  async ended(turnId: string, sessionKey: string, outcome: TurnOutcome, error?: string): Promise<void> {
    const turn = this.#turns.get(sessionKey);
    if (turn?.turnId !== turnId) return;
    this.#turns.delete(sessionKey);
    if (turn.used.size === 0) return;
    await (await this.log()).endTurn(turnId, { outcome, ...(error ? { error } : {}), at: Date.now() });
  }
}
