import { errorMessage, toDisposable, type Disposable } from "@aleph/plugin-sdk";
import { activity, OWNER_SLOT, ownerIndex } from "./plugin-activity.js";

type Handler = (payload: unknown) => unknown;
type AnyHandler = (event: string, payload: unknown) => unknown;

interface Listener {
  handler: Handler;
  /** The plugin that registered it; errors are reported against it. */
  owner: string | undefined;
  /** The owner's index in the activity slot (plugin-activity.ts): a stall inside the handler is blamed on it. */
  ownerIndex: number;
  once: boolean;
}

export type HandlerErrorReporter = (owner: string | undefined, event: string, error: unknown) => void;

const RESOLVED: Promise<void> = Promise.resolve();

/**
 * The event bus. Listener lists are copy-on-write, so emit iterates without copying and a
 * handler that subscribes or unsubscribes during an emit affects only later emits. Synchronous
 * handlers cost no promise; emit awaits the asynchronous ones. A handler's error is reported
 * against its owner and never reaches the emitter.
 */
export class EventBus {
  #listeners = new Map<string, Listener[]>();
  #any: AnyHandler[] = [];
  #report: HandlerErrorReporter;

  constructor(report: HandlerErrorReporter) {
    this.#report = report;
  }

  on(event: string, handler: Handler, owner?: string): Disposable {
    return this.#add(event, { handler, owner, ownerIndex: owner ? ownerIndex(owner) : 0, once: false });
  }

  once(event: string, handler: Handler, owner?: string): Disposable {
    return this.#add(event, { handler, owner, ownerIndex: owner ? ownerIndex(owner) : 0, once: true });
  }

  /** Sees every event (the `--events json` stream); errors are reported against the kernel. */
  onAny(handler: AnyHandler): Disposable {
    this.#any = [...this.#any, handler];
    return toDisposable(() => {
      this.#any = this.#any.filter((h) => h !== handler);
    });
  }

  listenerCount(event?: string): number {
    if (event !== undefined) return this.#listeners.get(event)?.length ?? 0;
    let n = 0;
    for (const list of this.#listeners.values()) n += list.length;
    return n;
  }

  emit(event: string, payload: unknown): Promise<void> {
    let pending: Promise<unknown>[] | undefined;
    const list = this.#listeners.get(event);
    if (list !== undefined) {
      for (let i = 0; i < list.length; i++) {
        const listener = list[i]!;
        if (listener.once) this.#remove(event, listener);
        const previousOwner = activity[OWNER_SLOT]!;
        activity[OWNER_SLOT] = listener.ownerIndex;
        try {
          const result = listener.handler(payload);
          if (result !== undefined && typeof (result as Promise<unknown>).then === "function") {
            (pending ??= []).push((result as Promise<unknown>).then(undefined, (error) => this.#fail(listener.owner, event, error)));
          }
        } catch (error) {
          this.#fail(listener.owner, event, error);
        } finally {
          activity[OWNER_SLOT] = previousOwner;
        }
      }
    }
    const any = this.#any;
    for (let i = 0; i < any.length; i++) {
      try {
        const result = any[i]!(event, payload);
        if (result !== undefined && typeof (result as Promise<unknown>).then === "function") {
          (pending ??= []).push((result as Promise<unknown>).then(undefined, (error) => this.#fail(undefined, event, error)));
        }
      } catch (error) {
        this.#fail(undefined, event, error);
      }
    }
    return pending === undefined ? RESOLVED : Promise.all(pending).then(() => undefined);
  }

  #add(event: string, listener: Listener): Disposable {
    this.#listeners.set(event, [...(this.#listeners.get(event) ?? []), listener]);
    return toDisposable(() => this.#remove(event, listener));
  }

  #remove(event: string, listener: Listener): void {
    const list = this.#listeners.get(event);
    if (!list) return;
    const next = list.filter((l) => l !== listener);
    if (next.length === 0) this.#listeners.delete(event);
    else this.#listeners.set(event, next);
  }

  #fail(owner: string | undefined, event: string, error: unknown): void {
    try {
      this.#report(owner, event, error);
    } catch {
      // The reporter itself must never break an emit.
    }
  }
}

/** Shapes a handler error for `plugin.error`. */
export function handlerErrorPayload(owner: string, event: string, error: unknown): { id: string; event: string; message: string } {
  return { id: owner, event, message: errorMessage(error) };
}
