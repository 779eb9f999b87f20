import { AsyncLocalStorage } from "node:async_hooks";

/*
 * Whose code is running: what lets a fault be blamed on the plugin that caused it.
 *
 * - `pluginContext` (AsyncLocalStorage) carries a plugin's id through everything its import and
 *   setup start — promises, timers, callbacks — so an unhandled rejection or a throw from a timer
 *   made there is blamed on it even when its stack shows no plugin file (a rejected fs promise).
 * - `activity` is a SharedArrayBuffer another thread can read while this one is stuck: slot 0 is
 *   the plugin whose code the main thread entered last through the kernel (a setup, an event
 *   handler, a timer made in a plugin's context), slot 1 counts heartbeats, slot 2 is the heap
 *   gauge. The stall watchdog (supervised-child.ts) reads them.
 */

export const pluginContext = new AsyncLocalStorage<string>();

export const OWNER_SLOT = 0;
export const BEAT_SLOT = 1;
/** The heap in use, in percent of its limit (the supervised kernel's heartbeat updates it). */
export const HEAP_SLOT = 2;
export const activity = new Int32Array(new SharedArrayBuffer(16));

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

/** Every owner known so far, then each new one (the watchdog thread keeps its own copy of the table). */
export function onNewOwner(listener: (index: number, id: string) => void): () => void {
  for (let i = 1; i < owners.length; i++) listener(i, owners[i]!);
  newOwnerListeners.add(listener);
  return () => newOwnerListeners.delete(listener);
}

/** Runs `fn` as plugin `id`: its async work keeps the id, and the owner slot names it while `fn` runs synchronously. */
export function runAsPlugin<T>(id: string, fn: () => T): T {
  const previous = activity[OWNER_SLOT]!;
  activity[OWNER_SLOT] = ownerIndex(id);
  try {
    return pluginContext.run(id, fn);
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
