import { AsyncLocalStorage } from "node:async_hooks";
import { AlephError, errorMessage, isAlephError, type Logger } from "@aleph/plugin-sdk";
import type { ExtismPluginOptions, Plugin } from "@extism/extism";
import { loadExtism } from "./extism.js";

type Functions = NonNullable<ExtismPluginOptions["functions"]>;

/** One Extism instance of a plugin. A timeout replaces it with a fresh one. */
export interface Instance {
  readonly serial: number;
  plugin?: Plugin;
  /** Set when the instance was given up (timeout, unload): its host functions must not answer any more. */
  abandoned: boolean;
  /** Fails the call running on the instance, if any, when the instance is discarded (so it does not hang). */
  interrupt?: (reason: Error) => void;
}

function newInstance(serial: number): Instance {
  return { serial, abandoned: false };
}

/**
 * A promise that rejects when the instance is discarded during the call. One per call: racing every
 * call against one long-lived promise would pile a reaction per call onto it (a leak).
 */
function interruption(instance: Instance): Promise<never> {
  return new Promise<never>((_, reject) => {
    instance.interrupt = reject;
  });
}

/**
 * Set while a worker-mode host function of a plugin runs (it may await, so the scope must follow
 * its async continuations). A call into the same plugin made from inside it (its aleph_emit
 * reaching its own hook, its aleph_call reaching its own tool) cannot run until the current call
 * returns, so the runner detects it instead of deadlocking. Foreground host functions are
 * synchronous and use a plain flag instead (runner.foregroundHostCall).
 */
export interface HostScope {
  runner: WasmRunner;
  active: boolean;
}
export const hostScope = new AsyncLocalStorage<HostScope>();

export interface RunnerOptions {
  id: string;
  /** The .wasm file, for error messages. */
  file: string;
  module: WebAssembly.Module;
  /** Run in a worker thread (see planMode in loader.ts for when). */
  worker: boolean;
  /** Per-call limit (worker mode only). */
  timeoutMs: number | undefined;
  /** Bound on deactivate and on waiting for running calls at unload, in worker mode without timeout_ms. */
  teardownTimeoutMs: number;
  /** Worker mode: reset Extism's call state after this many calls. */
  resetEvery: number;
  /**
   * Worker mode: reset after every call. Set with a memory cap: the SDK counts every block it
   * still holds against `memory.maxPages`, and worker mode holds them until a reset.
   */
  resetEveryCall: boolean;
  /** Everything passed to createPlugin except functions / runInWorker. */
  extism: Omit<ExtismPluginOptions, "functions" | "runInWorker" | "timeoutMs">;
  /** A FRESH functions object for each instance (the SDK mutates it, and binds it to one instance). */
  functions: (instance: Instance) => Functions;
  /** Run `activate` on an instance that replaces a timed-out one. */
  reactivate: boolean;
  log: Logger;
}

/** Extism numbers its memory blocks in the top 16 bits of an i64 (signed: 32768 usable). */
const BLOCK_RESET_AT = 8192;
/** Worker mode: reset once the inputs, outputs and host answers held since the last reset pass this. */
const BYTES_RESET_AT = 8 * 1024 * 1024;

const TIMED_OUT = Symbol("timed out");
/** The SDK's resting value of the shared flag (SAB_BASE_OFFSET): nothing for the worker to read. */
const SAB_BASE_OFFSET = 4;

function delay<T>(ms: number, value: T): { promise: Promise<T>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(value), ms);
  });
  return { promise, cancel: () => clearTimeout(timer) };
}

/** What the SDK threw, as an AlephError with a code. */
export function callError(id: string, fn: string, error: unknown, file?: string): AlephError {
  if (isAlephError(error)) return error as AlephError;
  // Worker mode rejects with a plain { message, originalStack } object.
  const message =
    error instanceof Error ? error.message : typeof error === "object" && error !== null && "message" in error ? String((error as { message: unknown }).message) : String(error);
  const guest = /^Plugin-originated error: ([\s\S]*)$/.exec(message);
  if (guest) {
    return new AlephError("ALEPH_E_WASM_TRAP", `export "${fn}" of plugin "${id}" returned an error: ${guest[1]}`, {
      file,
      fix: "see the plugin's error message; the plugin keeps serving other calls",
      cause: error,
    });
  }
  return new AlephError("ALEPH_E_WASM_TRAP", `export "${fn}" of plugin "${id}" trapped: ${message}`, {
    file,
    fix: "fix the plugin's code (a trap is an unreachable, an out-of-bounds access, a failed allocation past [limits] memory_mb, …); the plugin keeps serving other calls",
    cause: error,
  });
}

/**
 * Runs one WASM plugin through Extism: one call at a time (Extism instances are not re-entrant),
 * per-call timeouts in worker mode, periodic resets of Extism's block table in worker mode, and a
 * fresh instance after a timeout so that the plugin keeps serving.
 */
export class WasmRunner {
  readonly options: RunnerOptions;
  #instance: Instance | undefined;
  #spawning: Promise<Instance> | undefined;
  #serial = 0;
  #tail: Promise<unknown> = Promise.resolve();
  #closed = false;
  #closing: Promise<void> | undefined;
  #sinceReset = 0;
  #maxBlock = 0;
  #bytes = 0;
  #resetSoon = false;
  /** Calls queued or running; 0 means a new call may start at once. */
  #pending = 0;

  constructor(options: RunnerOptions) {
    this.options = options;
  }

  get mode(): "worker" | "foreground" {
    return this.options.worker ? "worker" : "foreground";
  }

  /** Starts the first instance (setup awaits it, so that a link error fails the load). */
  async start(): Promise<void> {
    this.#instance = await this.#spawn(false);
  }

  /** Set while one of this plugin's foreground (synchronous) host functions runs. */
  foregroundHostCall = false;

  /** True inside one of this plugin's own host functions. */
  isReentrant(): boolean {
    if (this.foregroundHostCall) return true;
    const scope = hostScope.getStore();
    return scope !== undefined && scope.runner === this && scope.active;
  }

  /** Host functions report the Extism block offsets they see, so worker mode resets before the table overflows. */
  observeBlock(offset: bigint): void {
    const index = Number(BigInt.asUintN(64, offset) >> 48n);
    if (index > this.#maxBlock) this.#maxBlock = index;
  }

  /** Host functions report the size of what they store (it stays in worker mode until a reset). */
  noteBytes(bytes: number): void {
    this.#bytes += bytes;
  }

  /**
   * Worker mode, after a host function answered: makes sure the worker wakes up to read the answer.
   *
   * The SDK hands the answer over through a SharedArrayBuffer: the main thread writes it, moves a
   * flag off 4 (SAB_BASE_OFFSET) and wakes ONE waiter on it (Atomics.notify count 1); the worker,
   * blocked in Atomics.wait, reads it and moves the flag back to 4. Now and then the worker misses
   * that wake-up and sleeps until its 500 ms wait times out (observed: its wait timed out with the
   * answer waiting; up to ~20 such stalls per thousand host calls; most likely a main-thread
   * waitAsync left over from the previous host call takes the single wake-up). So while the flag
   * says the worker has data to read, wake every waiter again (spurious wake-ups are harmless).
   */
  kickWorker(instance: Instance): void {
    const flag = (instance.plugin as { hostFlag?: unknown } | undefined)?.hostFlag;
    if (!(flag instanceof Int32Array)) return;
    let tries = 0;
    const check = () => {
      if (instance.abandoned || Atomics.load(flag, 0) <= SAB_BASE_OFFSET || ++tries > 1000) return;
      Atomics.notify(flag, 0);
      setTimeout(check, 1).unref();
    };
    // First look right after the SDK has signalled (it does so in the microtasks after this host
    // function returns), then every millisecond.
    setImmediate(check).unref();
  }

  /** Asks for a reset after the current call (a host answer could not be stored). */
  requestReset(): void {
    this.#resetSoon = true;
  }

  /**
   * Calls an export with a string input; resolves to its output as text ("" when empty).
   * Calls are queued: a call waits for the one before it. A call from inside one of the plugin's
   * own host functions cannot wait for the current call (that would deadlock): with
   * `reentrant: "defer"` it is queued behind it anyway (the caller must not wait for it), otherwise
   * it is refused.
   */
  call(fn: string, input: string, options: { reentrant?: "defer" | "reject" } = {}): Promise<string> {
    if (this.#closed) return Promise.reject(this.#unloaded());
    if (options.reentrant !== "defer" && this.isReentrant()) {
      return Promise.reject(
        new AlephError("ALEPH_E_WASM_TRAP", `plugin "${this.options.id}" was called from inside its own host call (export "${fn}"); a WASM plugin handles one call at a time`, {
          file: this.options.file,
          fix: "do not reach the plugin's own tools from its aleph_call; events it emits to itself are delivered after the current call",
        }),
      );
    }
    return this.#enqueue(() => this.#exec(fn, input, this.options.timeoutMs));
  }

  /** Unloads: refuses new calls, runs deactivate (bounded), waits for running calls (bounded), closes the instance. */
  close(deactivate: boolean): Promise<void> {
    this.#closing ??= this.#close(deactivate);
    return this.#closing;
  }

  async #close(deactivate: boolean): Promise<void> {
    this.#closed = true;
    const bound = this.options.timeoutMs ?? (this.options.worker ? this.options.teardownTimeoutMs : undefined);
    // Calls already running finish (each within timeout_ms, if set), then deactivate runs; all of it
    // within teardownTimeoutMs, after which the instance is stopped regardless.
    const work = (async () => {
      if (deactivate) {
        try {
          await this.#enqueue(() => this.#exec("deactivate", "", bound), true);
        } catch (error) {
          this.options.log.warn("deactivate failed", { error: errorMessage(error), code: (error as AlephError).code });
        }
      }
      // The last call may have failed (a timeout, a trap): its caller got that error; unloading
      // only waits for it to settle. Rethrowing it here failed the unload and skipped the discard
      // below, leaving the restarted instance's worker alive (a one-shot CLI never exited).
      await this.#tail.catch(() => undefined);
    })();
    const grace = delay(this.options.teardownTimeoutMs, TIMED_OUT);
    try {
      const drained = await Promise.race([work, grace.promise]);
      if (drained === TIMED_OUT) this.options.log.warn(`calls still running ${this.options.teardownTimeoutMs} ms into unload; stopping the plugin`, {});
    } finally {
      grace.cancel();
      // Whatever happened above, every instance (and its worker thread) is stopped.
      const instances = [this.#instance, await this.#spawning?.catch(() => undefined)];
      this.#instance = undefined;
      this.#spawning = undefined;
      for (const instance of instances) if (instance) await this.#discard(instance);
    }
  }

  #unloaded(when = ""): AlephError {
    return new AlephError("ALEPH_E_SERVICE", `plugin "${this.options.id}" is unloaded${when}`, { fix: "call the plugin while it is loaded" });
  }

  #enqueue<T>(task: () => Promise<T>, duringClose = false): Promise<T> {
    // Idle: start at once instead of a microtask later (a tool call's latency is mostly such hops).
    const idle = this.#pending === 0;
    this.#pending++;
    const done = () => void this.#pending--;
    const start = () => {
      if (this.#closed && !duringClose) throw this.#unloaded();
      return task();
    };
    let run: Promise<T>;
    if (idle) {
      try {
        run = start();
      } catch (error) {
        run = Promise.reject(error);
      }
    } else run = this.#tail.then(start, start);
    // A side reaction, registered before the caller's: it runs first and delays nobody.
    run.then(done, done);
    // The next call starts after this one settles, whether it succeeded or not; the caller of
    // `run` handles its rejection.
    this.#tail = run;
    return run;
  }

  async #spawn(reactivate: boolean): Promise<Instance> {
    const extism = await loadExtism();
    const instance = newInstance(++this.#serial);
    const functions = this.options.functions(instance);
    try {
      instance.plugin = await extism.createPlugin(this.options.module, {
        ...this.options.extism,
        functions,
        runInWorker: this.options.worker,
      });
    } catch (error) {
      throw new AlephError("ALEPH_E_ENTRY", `plugin "${this.options.id}" could not be instantiated: ${errorMessage(error)}`, {
        file: this.options.file,
        fix: "check the module's imports against docs/plugins.md (WASM plugins) and its WASI use against [permissions]",
        cause: error,
      });
    }
    guardKernelFunctions(functions, instance, this.options.log, () => this.kickWorker(instance));
    this.#sinceReset = 0;
    this.#maxBlock = 0;
    this.#bytes = 0;
    this.#resetSoon = false;
    if (reactivate) {
      try {
        await this.#callOn(instance, "activate", "", this.options.timeoutMs);
      } catch (error) {
        await this.#discard(instance);
        throw error;
      }
    }
    return instance;
  }

  async #ready(): Promise<Instance> {
    if (this.#instance && !this.#instance.abandoned) return this.#instance;
    // Unloading: never start a new instance (a deactivate queued behind a stopped call would).
    if (this.#closed && !this.#spawning) throw this.#unloaded();
    if (!this.#spawning) {
      this.#spawning = this.#spawn(this.options.reactivate);
    }
    try {
      this.#instance = await this.#spawning;
      return this.#instance;
    } catch (error) {
      throw isAlephError(error)
        ? new AlephError((error as AlephError).code, `plugin "${this.options.id}" could not be restarted: ${(error as AlephError).message}`, { file: this.options.file, fix: (error as AlephError).fix })
        : error;
    } finally {
      this.#spawning = undefined;
    }
  }

  #exec(fn: string, input: string, timeoutMs: number | undefined): Promise<string> {
    const current = this.#instance;
    // Foreground with a live instance: nothing to time, reset or restart — just the call, with no
    // async frames around it (each would add a microtask hop to every tool call).
    if (!this.options.worker && current && !current.abandoned) {
      return current.plugin!.call(fn, input).then(
        (output) => output?.text() ?? "",
        (error: unknown) => {
          throw callError(this.options.id, fn, error, this.options.file);
        },
      );
    }
    return this.#execSlow(fn, input, timeoutMs);
  }

  async #execSlow(fn: string, input: string, timeoutMs: number | undefined): Promise<string> {
    const current = this.#instance;
    const instance = current && !current.abandoned ? current : await this.#ready();
    let out = "";
    try {
      out = await this.#callOn(instance, fn, input, timeoutMs);
      return out;
    } finally {
      this.#bytes += input.length + out.length;
      if (this.options.worker && !instance.abandoned) await this.#maybeReset(instance);
    }
  }

  /**
   * Worker-mode Extism never clears its block table between calls: without a reset the table
   * overflows (~16k calls: "cannot assign to this block") and every block stays in memory.
   */
  async #maybeReset(instance: Instance): Promise<void> {
    const due =
      this.options.resetEveryCall ||
      this.#resetSoon ||
      ++this.#sinceReset >= this.options.resetEvery ||
      this.#maxBlock >= BLOCK_RESET_AT ||
      this.#bytes >= BYTES_RESET_AT;
    if (!due) return;
    this.#sinceReset = 0;
    this.#maxBlock = 0;
    this.#bytes = 0;
    this.#resetSoon = false;
    try {
      if (!(await instance.plugin!.reset())) throw new Error("the plugin was busy");
    } catch (error) {
      this.options.log.warn("resetting the plugin's call state failed; restarting it", { error: errorMessage(error) });
      this.#abandon(instance);
    }
  }

  async #callOn(instance: Instance, fn: string, input: string, timeoutMs: number | undefined): Promise<string> {
    const pending = instance.plugin!.call(fn, input);
    if (!this.options.worker) {
      // Foreground: the module runs synchronously; nothing can interrupt it.
      try {
        return (await pending)?.text() ?? "";
      } catch (error) {
        throw callError(this.options.id, fn, error, this.options.file);
      }
    }
    pending.catch(() => undefined); // if the instance is stopped, this call never settles or fails late
    if (timeoutMs === undefined) {
      try {
        return (await Promise.race([pending, interruption(instance)]))?.text() ?? "";
      } catch (error) {
        throw callError(this.options.id, fn, error, this.options.file);
      } finally {
        instance.interrupt = undefined;
      }
    }
    const limit = delay(timeoutMs, TIMED_OUT);
    try {
      const out = await Promise.race([pending, limit.promise, interruption(instance)]);
      if (out === TIMED_OUT) {
        this.#abandon(instance);
        throw new AlephError("ALEPH_E_TIMEOUT", `export "${fn}" of plugin "${this.options.id}" ran past [limits] timeout_ms (${timeoutMs} ms) and was stopped`, {
          file: this.options.file,
          fix: "make the export return sooner, or raise [limits] timeout_ms; the plugin was restarted and keeps serving",
        });
      }
      return out?.text() ?? "";
    } catch (error) {
      throw callError(this.options.id, fn, error, this.options.file);
    } finally {
      limit.cancel();
      instance.interrupt = undefined;
    }
  }

  /** Gives up an instance (its worker is terminated) and starts its replacement right away. */
  #abandon(instance: Instance): void {
    if (instance.abandoned) return;
    instance.abandoned = true;
    if (this.#instance === instance) this.#instance = undefined;
    void this.#discard(instance);
    if (!this.#closed && !this.#spawning) {
      this.#spawning = this.#spawn(this.options.reactivate);
      this.#spawning.catch(() => undefined); // reported by the next call
    }
  }

  async #discard(instance: Instance): Promise<void> {
    instance.abandoned = true;
    instance.interrupt?.(this.#unloaded(" while a call was running"));
    const plugin = instance.plugin;
    instance.plugin = undefined;
    if (!plugin) return;
    try {
      await plugin.close();
    } catch (error) {
      this.options.log.warn("closing the plugin failed", { error: errorMessage(error) });
    }
    // If the main thread was writing a host function's answer back to the worker we just
    // terminated, Extism's writer waits for the worker forever (with a 1 ms interval timer that
    // keeps the process alive). Moving the shared flag releases it.
    const flag = (plugin as { hostFlag?: Int32Array }).hostFlag;
    if (flag instanceof Int32Array) {
      Atomics.store(flag, 0, -1);
      Atomics.notify(flag, 0);
    }
  }
}

/**
 * In worker mode the SDK adds its own extism:host/env functions (http_request, var_get, …) to the
 * functions object and runs them on the main thread. One that throws (http_request to a host not in
 * allowed_hosts does) makes the SDK terminate the worker, after which every call hangs. Wrap them
 * so that they answer 0 instead.
 */
function guardKernelFunctions(functions: Functions, instance: Instance, log: Logger, kick: () => void): void {
  const env = functions["extism:host/env"];
  if (!env) return;
  for (const [name, fn] of Object.entries(env)) {
    env[name] = async (context: unknown, ...args: unknown[]) => {
      let result: unknown;
      try {
        result = await fn(context as never, ...args);
      } catch (error) {
        log.warn(`Extism host function ${name} failed`, { error: errorMessage(error) });
        result = name === "var_set" ? undefined : 0n;
      }
      if (instance.abandoned) throw new Error("instance abandoned");
      kick();
      return result;
    };
  }
}
