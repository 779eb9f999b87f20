import * as z from "@aleph/zod/mini";
import { agentRef, chatRef, parseSessionKey, type PluginContext } from "@aleph/plugin-sdk";
import { method, type MethodTable } from "../rpc/dispatch.js";
import { INVALID_PARAMS, RpcFailure } from "../rpc/protocol.js";
import type { TurnRegistry } from "../turns/turn-registry.js";
import { agentId, sessionKey } from "./params.js";
import { need } from "./services.js";

/*
 * chat.send and chat.abort (docs/gateway.md, "chat.send"): a message to an agent, its turn
 * streamed back as chat.event notifications and answered with the turn's result; a running turn
 * stopped by its idempotency key or its session.
 */

const idempotencyKey = z.string().check(z.minLength(1), z.maxLength(128));

export function chatMethods(ctx: PluginContext<unknown>, turns: TurnRegistry): MethodTable {
  return {
    "chat.send": method({
      params: z.strictObject({ sessionKey: z.optional(sessionKey), agentId: z.optional(agentId), message: z.string().check(z.minLength(1)), idempotencyKey }),
      run: (p, { client }) => {
        const target = targetOf(p.sessionKey, p.agentId);
        const agent = need(ctx, agentRef, "chat.send");
        return turns.send({ ...target, message: p.message, idempotencyKey: p.idempotencyKey, client }, { agent, chat: ctx.services.getOptional(chatRef) });
      },
    }),

    "chat.abort": method({
      params: z.strictObject({ idempotencyKey: z.optional(idempotencyKey), sessionKey: z.optional(sessionKey) }),
      run: (p) => {
        if ((p.idempotencyKey === undefined) === (p.sessionKey === undefined)) {
          throw new RpcFailure(INVALID_PARAMS, "invalid params: give idempotencyKey or sessionKey (one of them)", { issues: [{ path: "", message: "give idempotencyKey or sessionKey, not both and not neither" }] });
        }
        return { aborted: turns.abort(p.idempotencyKey !== undefined ? { idempotencyKey: p.idempotencyKey } : { sessionKey: p.sessionKey! }) };
      },
    }),
  };
}

/** The session a message goes to and the agent that answers: the key's agent, `agent:<agentId>:main` without a key. */
function targetOf(key: string | undefined, agent: string | undefined): { sessionKey: string; agentId: string } {
  if (key === undefined) {
    const id = agent ?? "main";
    return { sessionKey: `agent:${id}:main`, agentId: id };
  }
  const parsed = parseSessionKey(key);
  if (parsed.kind === "subagent") {
    throw new RpcFailure(INVALID_PARAMS, "invalid params: sessionKey: a sub-agent's session takes no messages from outside", { issues: [{ path: "sessionKey", message: "a sub-agent session belongs to its coordinator" }] });
  }
  if (agent !== undefined && agent !== parsed.agentId) {
    throw new RpcFailure(INVALID_PARAMS, `invalid params: agentId "${agent}" does not own session ${key}`, { issues: [{ path: "agentId", message: `the session belongs to agent "${parsed.agentId}"` }] });
  }
  return { sessionKey: key, agentId: parsed.agentId };
}
