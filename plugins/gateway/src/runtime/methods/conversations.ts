import * as z from "@aleph/zod/mini";
import { AlephError, chatRef, sessionsRef, type PluginContext } from "@aleph/plugin-sdk";
import { method, type MethodTable } from "../rpc/dispatch.js";
import { agentId, chatId, int, sessionKey } from "./params.js";
import { need } from "./services.js";

/* sessions.list|show and chats.list|read: the conversations as the sessions and chat plugins keep them. */

export function conversationMethods(ctx: PluginContext<unknown>): MethodTable {
  return {
    "sessions.list": method({
      params: z.strictObject({
        agentId: z.optional(agentId),
        channel: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
        limit: z._default(int(1, 500), 100),
      }),
      run: (p) =>
        need(ctx, sessionsRef, "sessions.list").list({
          ...(p.agentId !== undefined ? { agentId: p.agentId } : {}),
          ...(p.channel !== undefined ? { channel: p.channel } : {}),
          limit: p.limit,
        }),
    }),

    "sessions.show": method({
      params: z.strictObject({ sessionKey, limit: z._default(int(1, 1000), 200), before: z.optional(int(1, Number.MAX_SAFE_INTEGER)) }),
      run: async (p) => {
        const sessions = need(ctx, sessionsRef, "sessions.show");
        const session = await sessions.get(p.sessionKey);
        if (!session) throw new AlephError("ALEPH_E_NOT_FOUND", `no session ${p.sessionKey}`, { fix: "sessions.list shows the sessions there are" });
        const messages = await sessions.history(p.sessionKey, { limit: p.limit, ...(p.before !== undefined ? { before: p.before } : {}) });
        return { session, messages };
      },
    }),

    "chats.list": method({
      run: () => {
        const chat = need(ctx, chatRef, "chats.list");
        if (typeof chat.list !== "function") throw new AlephError("ALEPH_E_UNAVAILABLE", "the running chat plugin cannot list its chats", { fix: "update Aleph: the chat service's list() came with the gateway" });
        return chat.list();
      },
    }),

    "chats.read": method({
      params: z.strictObject({ chatId, after: z.optional(int(0, Number.MAX_SAFE_INTEGER)), limit: z.optional(int(1, 1000)) }),
      run: (p) =>
        need(ctx, chatRef, "chats.read").read(p.chatId, {
          ...(p.after !== undefined ? { after: p.after } : {}),
          ...(p.limit !== undefined ? { limit: p.limit } : {}),
        }),
    }),
  };
}
