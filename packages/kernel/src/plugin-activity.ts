import { AsyncLocalStorage } from "node:async_hooks";

/*
 * Whose code is running: what lets a fault be blamed on the plugin that caused it.
 *
 * - `pluginContext` (AsyncLocalStorage) carries a plugin's id through everything its import and
 *   setup start — promises, timers, callbacks — so an unhandled rejection or a throw from a timer
 *   made there is blamed on it even when its stack shows no plugin file (a rejected fs promise).
 * - `activity` is a SharedArrayBuffer another thread can read while this one is stuck: slot 0 is
 *   the plugin whose code the main thread entered last through the kernel (a setup, an event
 *   handler, a timer made in a plugin's context); the other slots are the heartbeat, the heap
 *   gauge and the breadcrumb of supervision-protocol.ts, which `aleph start`'s supervisor reads.
 */

export const pluginContext = new AsyncLocalStorage<string>();

import { OWNER_SLOT, SLOT_COUNT } from "./supervision-protocol.js";

export { OWNER_SLOT };
/**
 * The slots (supervision-protocol.ts). A kernel of its own keeps them to itself; the supervised
 * kernel adopts the buffer its supervisor reads.
 */
export let activity = new Int32Array(new SharedArrayBuffer(SLOT_COUNT * 4));

export function adoptActivityBuffer(buffer: SharedArrayBuffer): void {
  const next = new Int32Array(buffer);
  next[OWNER_SLOT] = activity[OWNER_SLOT]!;
  activity = next;
}

/** Plugin ids by slot index; 0 is the kernel (no plugin). */
const owners: string[] = [""];
const indexes = new Map<string, number>();
const newOwnerListeners = new Set<(index: number, id: string) => void>();

export function ownerIndex(id: string): number {
  let index = indexes.get(id);
  if (index === undefined) {
    index = owners.push(id) - 1;
    indexes.set(id, index);
    for (const listener of newOwnerListeners) listener(index, id);
  }
  return index;
}

export function ownerAt(index: number): string | undefined {
  return index > 0 ? owners[index] : undefined;
}

/** Every owner known so far, then each new one (the supervisor keeps its own copy of the table). */
export function onNewOwner(listener: (index: number, id: string) => void): () => void {
  for (let i = 1; i < owners.length; i++) listener(i, owners[i]!);
  newOwnerListeners.add(listener);
  return () => newOwnerListeners.delete(listener);
}

/**
 * Runs `fn` as plugin `id`: the owner slot names it while `fn` runs synchronously, and with
 * `trackAsync` its async work keeps the id. On Node 20 and 22 an AsyncLocalStorage makes every
 * promise of the process slower once it is first used (promise hooks; measured: +15 ms on
 * `aleph start`), so the host tracks third-party plugins only; the bundled ones are blamed
 * through their stacks and the owner slot.
 */
export function runAsPlugin<T>(id: string, fn: () => T, trackAsync = true): T {
  const previous = activity[OWNER_SLOT]!;
  activity[OWNER_SLOT] = ownerIndex(id);
  try {
    return trackAsync ? pluginContext.run(id, fn) : fn();
  } finally {
    activity[OWNER_SLOT] = previous;
  }
}

/** The plugin whose async context is current, if any. */
export function currentPlugin(): string | undefined {
  return pluginContext.getStore();
}

let timersWrapped = false;

/**
 * Makes timers created in a plugin's context name the plugin in the owner slot while their
 * callback runs, and until the microtasks it queued have run (an `await sleep()` continuation
 * runs right after the timer's callback returns). Only the supervised kernel does this: it is
 * what lets a stall in a plugin's timer be blamed on the plugin.
 */
export function trackPluginTimers(): void {
  if (timersWrapped) return;
  timersWrapped = true;
  const wrap = <F extends (callback: (...args: any[]) => void, ...rest: any[]) => unknown>(original: F): F => {
    const wrapped = function (this: unknown, callback: (...args: any[]) => void, ...rest: any[]) {
      const owner = pluginContext.getStore();
      if (owner === undefined || typeof callback !== "function") return original.call(this, callback, ...rest);
      const index = ownerIndex(owner);
      const tracked = function (this: unknown, ...args: any[]) {
        activity[OWNER_SLOT] = index;
        try {
          return callback.apply(this, args);
        } finally {
          queueMicrotask(() => {
            if (activity[OWNER_SLOT] === index) activity[OWNER_SLOT] = 0;
          });
        }
      };
      return original.call(this, tracked, ...rest);
    };
    Object.defineProperties(wrapped, Object.getOwnPropertyDescriptors(original)); // keeps util.promisify.custom
    return wrapped as unknown as F;
  };
  globalThis.setTimeout = wrap(globalThis.setTimeout);
  globalThis.setInterval = wrap(globalThis.setInterval);
  globalThis.setImmediate = wrap(globalThis.setImmediate);
}
