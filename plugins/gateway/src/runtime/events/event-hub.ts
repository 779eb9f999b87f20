import { AlephError, redactFields, toDisposable, type Disposable, type PluginEvents } from "@aleph/plugin-sdk";
import { KNOWN_EVENTS } from "./known-events.js";

/*
 * events.subscribe's fan-out: one bus listener per event name, shared by every subscription that
 * matches it, made on first need and kept for the gateway's life (a subscription that comes and
 * goes costs a set entry, not a bus registration). Payloads leave with secret-named fields
 * replaced; the frame they travel in is scrubbed of secret values like every frame.
 */

/** A pattern: an event name, a prefix ending in `.*`, or `*` (everything). */
export const EVENT_PATTERN = /^(?:\*|[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*(?:\.\*)?)$/;

/** Distinct names outside KNOWN_EVENTS that subscriptions may ask for (each is a bus listener). */
const MAX_EXTRA_NAMES = 256;

export type Deliver = (event: string, payload: unknown) => void;

export class EventHub {
  readonly #events: PluginEvents;
  readonly #byName = new Map<string, Set<Deliver>>();
  #extra = 0;

  constructor(events: PluginEvents) {
    this.#events = events;
  }

  /** The event names a list of patterns covers (every known event when none is given). */
  static namesOf(patterns: readonly string[] | undefined): string[] {
    if (patterns === undefined || patterns.length === 0) return [...KNOWN_EVENTS];
    const names = new Set<string>();
    for (const pattern of patterns) {
      if (pattern === "*") KNOWN_EVENTS.forEach((n) => names.add(n));
      else if (pattern.endsWith(".*")) {
        const prefix = pattern.slice(0, -1);
        KNOWN_EVENTS.filter((n) => n.startsWith(prefix)).forEach((n) => names.add(n));
      } else names.add(pattern);
    }
    return [...names];
  }

  /** Delivers every event of `names` to `deliver` until disposed. */
  subscribe(names: readonly string[], deliver: Deliver): Disposable {
    const fresh = names.filter((n) => !this.#byName.has(n) && !KNOWN_EVENTS.includes(n)).length;
    if (this.#extra + fresh > MAX_EXTRA_NAMES) {
      throw new AlephError("ALEPH_E_LIMIT", `subscriptions ask for more than ${MAX_EXTRA_NAMES} event names outside Aleph's own`, { fix: "subscribe to fewer distinct names" });
    }
    for (const name of names) this.#listeners(name).add(deliver);
    return toDisposable(() => {
      for (const name of names) this.#byName.get(name)?.delete(deliver);
    });
  }

  #listeners(name: string): Set<Deliver> {
    let set = this.#byName.get(name);
    if (!set) {
      set = new Set();
      const listeners = set;
      this.#byName.set(name, listeners);
      if (!KNOWN_EVENTS.includes(name)) this.#extra++;
      // Runs inside the emitter's emit: cheap, and it never throws (a client's send is caught there).
      this.#events.on(name, (payload: unknown) => {
        if (listeners.size === 0) return;
        const clean = redactFields(payload);
        for (const deliver of listeners) {
          try {
            deliver(name, clean);
          } catch {
            // one client's failure is not the emitter's
          }
        }
      });
    }
    return set;
  }
}
