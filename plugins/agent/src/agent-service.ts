import { eventChannel, toDisposable, type AgentService, type AgentTurnEvent, type BeforeCompactionHook, type ContextContributor, type Disposable } from "@aleph/plugin-sdk";
import type { TurnRunner } from "./turn-runner.js";

/** A registration made by another plugin, remembered with who made it (for logs). */
export interface Registered<T> {
  plugin: string;
  contributor: T;
}

/**
 * The `agent` service. `turn` streams through an event channel: a consumer that stops reading —
 * a remote client's cancel, Ctrl-C in `aleph talk` — aborts the turn's model call and tools at
 * once, not at the turn's next event.
 */
export function createAgentService(runner: () => Promise<TurnRunner>, contributors: Set<Registered<ContextContributor>>, hooks: Set<BeforeCompactionHook>, unloading: AbortSignal): AgentService {
  return {
    turn(input, options = {}) {
      // A turn stops when its consumer goes, and when the plugin unloads (the kernel stopping).
      const signal = options.signal instanceof AbortSignal ? AbortSignal.any([options.signal, unloading]) : unloading;
      return eventChannel<AgentTurnEvent>(async (push, turnSignal) => (await runner()).run(input, push, turnSignal), { signal });
    },
    addContextContributor(contributor: ContextContributor): Disposable {
      const entry = { plugin: contributor.name, contributor };
      contributors.add(entry);
      return toDisposable(() => void contributors.delete(entry));
    },
    onBeforeCompaction(hook: BeforeCompactionHook): Disposable {
      hooks.add(hook);
      return toDisposable(() => void hooks.delete(hook));
    },
  };
}
