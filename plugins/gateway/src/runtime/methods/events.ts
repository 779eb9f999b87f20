import * as z from "@aleph/zod/mini";
import { AlephError } from "@aleph/plugin-sdk";
import { EVENT_PATTERN, EventHub } from "../events/event-hub.js";
import { method, type MethodTable } from "../rpc/dispatch.js";

/*
 * events.subscribe|unsubscribe: bus events pushed to the client as `event` notifications while
 * its subscription lasts (until unsubscribed or the connection closes).
 */

/** Subscriptions one connection may hold. */
export const MAX_SUBSCRIPTIONS = 16;

export function eventMethods(hub: EventHub): MethodTable {
  let next = 0;
  return {
    "events.subscribe": method({
      params: z.strictObject({
        events: z.optional(
          z
            .array(z.string().check(z.maxLength(128), z.regex(EVENT_PATTERN, { message: 'an event name ("plugin.loaded"), a prefix ending in ".*" ("plugin.*"), or "*"' })))
            .check(z.minLength(1), z.maxLength(64)),
        ),
      }),
      run: (p, { client }) => {
        if (client.subscriptions.size >= MAX_SUBSCRIPTIONS) {
          throw new AlephError("ALEPH_E_LIMIT", `this connection holds ${MAX_SUBSCRIPTIONS} subscriptions already`, { fix: "unsubscribe one, or subscribe to several events in one subscription" });
        }
        const subscription = `s${++next}`;
        const names = EventHub.namesOf(p.events);
        client.subscriptions.set(
          subscription,
          hub.subscribe(names, (event, payload) => client.notify("event", { subscription, event, payload })),
        );
        return { subscription, events: names };
      },
    }),

    "events.unsubscribe": method({
      params: z.strictObject({ subscription: z.string().check(z.minLength(1), z.maxLength(64)) }),
      run: (p, { client }) => {
        const held = client.subscriptions.get(p.subscription);
        if (!held) throw new AlephError("ALEPH_E_NOT_FOUND", `no subscription ${p.subscription} on this connection`, { fix: "use the id events.subscribe answered" });
        void held.dispose();
        client.subscriptions.delete(p.subscription);
        return { ok: true };
      },
    }),
  };
}
