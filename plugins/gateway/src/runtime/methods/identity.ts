import * as z from "@aleph/zod/mini";
import { identityRef, type PluginContext } from "@aleph/plugin-sdk";
import { method, type MethodTable } from "../rpc/dispatch.js";
import { sessionKey } from "./params.js";
import { need } from "./services.js";

/*
 * identity.override: a session's soul override (the identity service, the workspace plugin's),
 * until cleared (`soul: null`) or the session is deleted — the entry clears it on session.deleted.
 * The override is not tied to the connection or to this generation of the gateway: it is a
 * setting of the session, so its disposable is deliberately not kept.
 */

export function identityMethods(ctx: PluginContext<unknown>): MethodTable {
  return {
    "identity.override": method({
      params: z.strictObject({ sessionKey, soul: z.nullable(z.string().check(z.maxLength(64 * 1024))) }),
      run: (p) => {
        need(ctx, identityRef, "identity.override").setSessionOverride(p.sessionKey, p.soul);
        return { sessionKey: p.sessionKey, active: p.soul !== null };
      },
    }),
  };
}
