import * as z from "@aleph/zod/mini";
import { memoryRef, type PluginContext } from "@aleph/plugin-sdk";
import { method, type MethodTable } from "../rpc/dispatch.js";
import { agentId, int } from "./params.js";
import { need } from "./services.js";

/* memory.search|add: the memory plugin's facts, when it runs (ALEPH_E_UNAVAILABLE otherwise). */

const unit = z.number().check(z.minimum(0), z.maximum(1));
const word = z.string().check(z.minLength(1), z.maxLength(200));

export function memoryMethods(ctx: PluginContext<unknown>): MethodTable {
  return {
    "memory.search": method({
      params: z.strictObject({ query: z.string().check(z.minLength(1), z.maxLength(4000)), agentId: z._default(agentId, "main"), limit: z._default(int(1, 100), 10) }),
      run: (p) => need(ctx, memoryRef, "memory.search").search(p.query, { agentId: p.agentId, k: p.limit }),
    }),

    "memory.add": method({
      params: z.strictObject({
        text: z.string().check(z.minLength(1), z.maxLength(16_000)),
        agentId: z._default(agentId, "main"),
        scope: z.optional(word),
        category: z.optional(word),
        tags: z.optional(z.array(word).check(z.maxLength(32))),
        importance: z.optional(unit),
        confidence: z.optional(unit),
        pinned: z.optional(z.boolean()),
        evergreen: z.optional(z.boolean()),
      }),
      run: (p) => need(ctx, memoryRef, "memory.add").add({ ...p, source: "gateway" }),
    }),
  };
}
