// The Aleph host functions (docs/plugins.md, "The ABI"), bound to one plugin's ctx; the aleph_fs_*
// ones live in fs-host.ts.
import { errorMessage, isAlephError, type PluginContext, type PluginManifest } from "@aleph/plugin-sdk";
import type { CallContext } from "@extism/extism";
import type { FsGrants } from "./fs-grants.js";
import { FS_READ_MAX_BYTES, fsCores } from "./fs-host.js";
import type { KvStore } from "./kv.js";
import { ALEPH_HOST_FUNCTIONS, USER_NAMESPACE } from "./module-check.js";
import { hostScope, type HostScope, type Instance, type WasmRunner } from "./runner.js";

export interface HostBindings {
  ctx: PluginContext<unknown>;
  manifest: PluginManifest;
  kv: KvStore;
  /** The directories `[permissions] allowed_paths` grants, for aleph_fs_*. */
  grants: FsGrants;
  /** Worker-mode host functions may be asynchronous (the worker waits); foreground ones may not. */
  worker: boolean;
  runner: () => WasmRunner;
  /** [limits] memory_mb in bytes: a larger answer cannot be stored (the SDK's block cap). */
  maxAnswerBytes: number | undefined;
}

type Answer = string | null;
type Core = (input: string) => Answer | Promise<Answer>;
type HostFunction = (context: CallContext, offset: bigint) => bigint | Promise<bigint>;

const LEVELS = new Set(["trace", "debug", "info", "warn", "error"]);
/** Events only the kernel emits; a WASM plugin may not forge them. */
const RESERVED_EVENTS = /^(kernel|plugin|config)\./;
const METHOD_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function";
}

function parseObject(input: string): Record<string, unknown> {
  const value = JSON.parse(input) as unknown;
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new Error("input is not a JSON object");
  return value as Record<string, unknown>;
}

function lookup(section: unknown, key: string): unknown {
  if (key === "") return section;
  if (section === null || typeof section !== "object") return undefined;
  if (Object.hasOwn(section, key)) return (section as Record<string, unknown>)[key];
  let value: unknown = section; // dotted path into nested tables
  for (const part of key.split(".")) {
    if (value === null || typeof value !== "object" || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function cores(b: HostBindings): Record<(typeof ALEPH_HOST_FUNCTIONS)[number], Core> {
  const { ctx, manifest, kv } = b;
  const log = ctx.log;
  const bad = (fn: string, error: unknown, input: string) =>
    log.warn(`${fn}: ignored malformed input from the plugin`, { error: errorMessage(error), input: input.length > 200 ? `${input.slice(0, 200)}…` : input });

  const callFailure = (error: unknown): string =>
    JSON.stringify({ ok: false, error: typeof error === "string" ? error : errorMessage(error), ...(isAlephError(error) ? { code: error.code } : {}) });

  // A read's answer must fit the plugin's memory cap (base64 grows it by a third; JSON escapes more).
  const maxRead = b.maxAnswerBytes === undefined ? FS_READ_MAX_BYTES : Math.min(FS_READ_MAX_BYTES, Math.floor(b.maxAnswerBytes / 2));

  return {
    ...fsCores(b.grants, log, maxRead),

    aleph_log(input) {
      try {
        const { level = "info", msg } = parseObject(input);
        const text = typeof msg === "string" ? msg : JSON.stringify(msg ?? null);
        if (typeof level !== "string" || !LEVELS.has(level)) throw new Error(`unknown level ${JSON.stringify(level)}`);
        log[level as "info"](text);
      } catch (error) {
        bad("aleph_log", error, input);
      }
      return null;
    },

    aleph_emit(input) {
      try {
        const { event, payload = null } = parseObject(input);
        if (typeof event !== "string" || event === "") throw new Error('"event" must be a non-empty string');
        if (RESERVED_EVENTS.test(event)) throw new Error(`"${event}" is a kernel event; a plugin may not emit it`);
        // Not awaited: the guest is blocked while a host function runs, and a handler of this
        // plugin's own hooks can only run after the current call returns.
        ctx.events.emit(event, payload as never).catch((error: unknown) => log.error("aleph_emit failed", { event, error: errorMessage(error) }));
      } catch (error) {
        bad("aleph_emit", error, input);
      }
      return null;
    },

    aleph_config(input) {
      try {
        const { key } = parseObject(input);
        if (typeof key !== "string") throw new Error('"key" must be a string ("" for the whole section)');
        const value = lookup(ctx.config, key);
        return value === undefined ? null : JSON.stringify(value);
      } catch (error) {
        bad("aleph_config", error, input);
        return null;
      }
    },

    aleph_kv_get(input) {
      try {
        const { key } = parseObject(input);
        if (typeof key !== "string") throw new Error('"key" must be a string');
        const value = kv.get(key);
        return value === undefined ? null : JSON.stringify(value);
      } catch (error) {
        bad("aleph_kv_get", error, input);
        return null;
      }
    },

    aleph_kv_set(input) {
      try {
        const { key, value } = parseObject(input);
        if (typeof key !== "string" || key === "") throw new Error('"key" must be a non-empty string');
        kv.set(key, value);
      } catch (error) {
        bad("aleph_kv_set", error, input);
      }
      return null;
    },

    aleph_call(input) {
      let service: unknown;
      let method: unknown;
      let args: unknown;
      try {
        ({ service, method, args = [] } = parseObject(input));
      } catch (error) {
        return callFailure(`malformed input: ${errorMessage(error)}; expected {"service": string, "method": string, "args": [...]}`);
      }
      if (typeof service !== "string" || typeof method !== "string") return callFailure('expected {"service": string, "method": string, "args": [...]}');
      if (!Array.isArray(args)) return callFailure('"args" must be an array');
      if (!manifest.services.requires.includes(service)) {
        const optional = manifest.services.optional.includes(service);
        return callFailure(
          `plugin "${ctx.id}" may not call service "${service}": it is not in [services] requires${optional ? " (optional services are not reachable from WASM)" : ""}; add it to requires in aleph_plugin.toml`,
        );
      }
      if (!METHOD_NAME.test(method) || method === "constructor") return callFailure(`"${method}" is not a method that can be called`);
      let impl: Record<string, unknown>;
      try {
        impl = ctx.services.get<Record<string, unknown>>(service);
      } catch (error) {
        return callFailure(error);
      }
      const fn = impl?.[method];
      // Only the service's own methods: never what every object or function inherits (toString,
      // hasOwnProperty, bind, …).
      const builtin = fn === (Object.prototype as Record<string, unknown>)[method] || fn === (Function.prototype as unknown as Record<string, unknown>)[method];
      if (typeof fn !== "function" || builtin) return callFailure(`service "${service}" has no method "${method}"`);
      const ok = (result: unknown): string => {
        try {
          return JSON.stringify({ ok: true, result: result === undefined ? null : result });
        } catch (error) {
          return callFailure(`the result of ${service}.${method} is not JSON-serialisable: ${errorMessage(error)}`);
        }
      };
      let result: unknown;
      try {
        result = (fn as (...a: unknown[]) => unknown).apply(impl, args);
      } catch (error) {
        return callFailure(error);
      }
      if (!isThenable(result)) return ok(result);
      if (!b.worker) {
        Promise.resolve(result).catch(() => undefined);
        return callFailure(`${service}.${method} is asynchronous, and a plugin running on the main thread cannot wait for it; the host runs plugins that require services in a worker`);
      }
      return Promise.resolve(result).then(ok, callFailure);
    },
  };
}

/**
 * A fresh `{ "extism:host/user": { … } }` for one Extism instance. Every function catches
 * everything: a host function that throws kills a worker-mode plugin for good (SDK 2.0.0-rc13).
 */
export function createHostFunctions(b: HostBindings, instance: Instance): Record<string, Record<string, HostFunction>> {
  const table = cores(b);
  const user: Record<string, HostFunction> = {};
  const log = b.ctx.log;

  for (const name of ALEPH_HOST_FUNCTIONS) {
    const core = table[name];
    const failed = (error: unknown) => {
      log.error(`host function ${name} failed`, { error: errorMessage(error) });
      return name === "aleph_call" || name.startsWith("aleph_fs_") ? JSON.stringify({ ok: false, error: `host function failed: ${errorMessage(error)}` }) : null;
    };
    const store = (context: CallContext, answer: Answer): bigint => {
      if (answer === null) return 0n;
      const runner = b.runner();
      const bytes = Buffer.byteLength(answer);
      if (b.maxAnswerBytes !== undefined && bytes > b.maxAnswerBytes) {
        log.error(`host function ${name}: the answer (${bytes} bytes) is larger than [limits] memory_mb allows; answering 0`, {});
        return 0n;
      }
      runner.noteBytes(bytes);
      try {
        const offset = context.store(answer);
        runner.observeBlock(offset);
        return offset;
      } catch (error) {
        // The SDK refuses blocks past memory.maxPages; its table is cleaned up after this call.
        runner.requestReset();
        throw error;
      }
    };

    if (b.worker) {
      user[name] = async (context, offset) => {
        const scope: HostScope = { runner: b.runner(), active: true };
        let answer: Answer;
        try {
          scope.runner.observeBlock(offset);
          const input = context.read(offset)?.text() ?? "";
          answer = await hostScope.run(scope, () => core(input));
        } catch (error) {
          answer = failed(error);
        } finally {
          scope.active = false;
        }
        // The instance timed out (or unloaded) while this ran: its worker is gone; throwing makes the
        // SDK drop the call instead of writing an answer to a dead worker.
        if (instance.abandoned) throw new Error("instance abandoned");
        scope.runner.kickWorker(instance);
        try {
          return store(context, answer);
        } catch (error) {
          log.error(`host function ${name} could not store its answer`, { error: errorMessage(error) });
          return 0n;
        }
      };
    } else {
      // Foreground: must be a plain (non-async) function; the SDK needs JSPI (Node 23+) for async ones.
      // Being synchronous, anything it calls back into the plugin happens while it runs, so a flag
      // on the runner marks re-entry — no AsyncLocalStorage, whose promise hooks would slow every
      // await in the process (2.4× on Node 20) once used.
      user[name] = (context, offset) => {
        const runner = b.runner();
        const outer = runner.foregroundHostCall;
        runner.foregroundHostCall = true;
        try {
          runner.observeBlock(offset);
          const input = context.read(offset)?.text() ?? "";
          let answer = core(input);
          if (isThenable(answer)) {
            Promise.resolve(answer).catch(() => undefined);
            answer = failed(new Error("asynchronous answer in foreground mode"));
          }
          return store(context, answer);
        } catch (error) {
          try {
            return store(context, failed(error));
          } catch {
            return 0n;
          }
        } finally {
          runner.foregroundHostCall = outer;
        }
      };
    }
  }
  return { [USER_NAMESPACE]: user };
}
