import type { Logger } from "@aleph/plugin-sdk";
import { findInterruptedTurns } from "./runtime-artifacts.js";
import type { TurnRunner } from "./turn-runner.js";

/**
 * Completes every turn a dead kernel left in flight (its breadcrumb in state/<sessionId>.json):
 * the stored user message is run again under its idempotency id, so an answer already stored is
 * kept as the answer, tool results already stored are not run again, and the rest of the turn runs.
 */
export async function completeInterruptedTurns(root: string, loadRunner: () => Promise<TurnRunner>, log: Logger, signal: AbortSignal): Promise<number> {
  const turns = findInterruptedTurns(root);
  if (turns.length === 0) return 0;
  const runner = await loadRunner();
  for (const turn of turns) {
    if (signal.aborted) break;
    log.info("completing a turn interrupted by a stop or crash", { agentId: turn.agentId, sessionKey: turn.sessionKey, userMessageId: turn.userMessageId });
    await runner.run(
      { agentId: turn.agentId, sessionKey: turn.sessionKey, id: turn.userMessageId, text: turn.text, ...(turn.provider ? { provider: turn.provider } : {}), ...(turn.model ? { model: turn.model } : {}) },
      () => {},
      signal,
    );
  }
  return turns.length;
}
