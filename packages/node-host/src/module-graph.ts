import { MessageChannel, receiveMessageOnPort, type MessagePort } from "node:worker_threads";

/** What the loader hooks report for each module a plugin generation imports (module-hooks.ts). */
export interface ModuleImported {
  root: string;
  gen: string;
  file: string;
}

/** How many generations of one plugin keep receiving late (dynamic) imports. */
const GENERATIONS_KEPT = 4;

/**
 * The files each generation of a plugin imported, so the watcher can tell a change to code the
 * plugin runs from a change to its sources or build inputs. The loader hooks run on their own
 * thread and post one message per module they resolve into a plugin directory; a message is queued
 * on this side before the hook returns, so once an import settles, draining the port synchronously
 * yields its whole graph — no waiting, no timers.
 */
export class ModuleGraphs {
  readonly #port: MessagePort;
  /** The port to hand to the hooks (transfer it in `register`'s data). */
  readonly hookPort: MessagePort;
  readonly #graphs = new Map<string, Set<string>>();
  readonly #byRoot = new Map<string, string[]>();

  constructor() {
    const { port1, port2 } = new MessageChannel();
    port1.unref(); // never keeps the kernel alive; nothing listens, messages wait for drain()
    this.#port = port1;
    this.hookPort = port2;
  }

  /** Starts recording generation `gen` of the plugin in `root`; returns its (growing) file set. */
  track(root: string, gen: number): Set<string> {
    const key = `${gen}\0${root}`;
    const files = new Set<string>();
    this.#graphs.set(key, files);
    const keys = [...(this.#byRoot.get(root) ?? []), key];
    while (keys.length > GENERATIONS_KEPT) this.#graphs.delete(keys.shift()!);
    this.#byRoot.set(root, keys);
    return files;
  }

  /** Files everything reported so far under its generation. */
  drain(): void {
    for (let next = receiveMessageOnPort(this.#port); next; next = receiveMessageOnPort(this.#port)) {
      const { root, gen, file } = next.message as ModuleImported;
      this.#graphs.get(`${gen}\0${root}`)?.add(file);
    }
  }
}
