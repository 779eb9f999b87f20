import type { IndexedSkill } from "./discovery/skill-index.js";
import { resolveSkills, type ResolvedSkills } from "./discovery/resolve.js";
import type { GateEnvironment } from "./gating/requirements.js";

/*
 * The skills as of one moment: the index's copies and the environment they were gated against.
 * Never changed once made — a change on disk or in the config makes a new set — so a turn holding
 * one sees the same skills from its system prompt to its last skill_read, and whatever is derived
 * from it (the prompt index, a matcher) is computed once and stays byte-identical.
 */
export class SkillSet {
  readonly #views = new Map<string, ResolvedSkills>();
  readonly #derived = new Map<string, unknown>();

  constructor(
    readonly version: number,
    readonly copies: readonly IndexedSkill[],
    private readonly gate: GateEnvironment,
    readonly madeAt: number = Date.now(),
  ) {}

  /** What `agentId` sees: its own workspace's skills, then the shared roots. */
  view(agentId: string): ResolvedSkills {
    let view = this.#views.get(agentId);
    if (!view) {
      view = resolveSkills(
        this.copies.filter((c) => c.root.source !== "agent" || c.root.agentId === agentId),
        this.gate,
      );
      this.#views.set(agentId, view);
    }
    return view;
  }

  /** A value derived from this set, computed once per key (prompt index, matcher). */
  derive<T>(key: string, make: () => T): T {
    if (!this.#derived.has(key)) this.#derived.set(key, make());
    return this.#derived.get(key) as T;
  }
}
