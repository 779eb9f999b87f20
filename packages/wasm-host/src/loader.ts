import { existsSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { isAbsolute, relative, resolve } from "node:path";
import {
  AlephError,
  errorMessage,
  isAlephError,
  mkdirPrivateSync,
  toolsRef,
  type AlephErrorCode,
  type Logger,
  type PluginContext,
  type PluginDefinition,
  type PluginManifest,
  type ToolsService,
} from "@aleph/plugin-sdk";
import { FsGrants } from "./fs-grants.js";
import { createHostFunctions } from "./host-functions.js";
import { KvStore } from "./kv.js";
import { capMemory, checkHeader, checkModule, type ModuleFacts, type ModuleProblem } from "./module-check.js";
import { WasmRunner } from "./runner.js";

/** The part of the kernel's PluginCandidate a loader reads (structurally compatible with it). */
export interface WasmCandidate {
  dir: string;
  realDir: string;
  manifestFile: string;
  manifest?: PluginManifest;
  /** The module's real path, resolved and confined to the plugin directory by the kernel. */
  entryFile?: string;
}

/** Same shape as the kernel's `PluginLoader` (packages/kernel/src/plugin-host.ts). */
export type WasmPluginLoader = (candidate: WasmCandidate, attempt: number, timeoutMs: number) => Promise<{ definition: PluginDefinition<unknown> }>;

export interface WasmLoaderOptions {
  /**
   * "auto" (default): a plugin runs on the main thread unless its manifest needs a worker
   * (see `planMode`). "worker": every WASM plugin runs in a worker thread.
   */
  mode?: "auto" | "worker";
  /** A timeout for plugins without [limits] timeout_ms (puts them in worker mode). Default: none. */
  defaultTimeoutMs?: number;
  /** A memory cap for plugins without [limits] memory_mb. Default: none (wasm32 allows 4 GiB). */
  defaultMemoryMb?: number;
  /** Worker mode: bound on deactivate and on waiting for running calls at unload. Default 5000. */
  teardownTimeoutMs?: number;
  /** Worker mode: reset Extism's call state every this many calls. Default 1024. */
  resetEvery?: number;
  /** Cap on one plugin's key-value store (JSON bytes). Default 16 MiB. */
  kvMaxBytes?: number;
}

export interface ModePlan {
  worker: boolean;
  reason: string;
  timeoutMs: number | undefined;
}

/**
 * Foreground or worker, from what the manifest needs. Foreground (the module runs on the kernel's
 * thread) costs ~4 µs a call; worker mode ~100 µs a call plus ~300 µs per host-function call, and a
 * thread. Only a worker can be stopped, and only a worker-mode host function can wait for a promise
 * on Node 20 (the SDK needs JSPI, Node 23+, for async host functions on the main thread). So:
 * - [limits] timeout_ms (or the loader's defaultTimeoutMs) → worker: a foreground call cannot be interrupted;
 * - [services] requires not empty → worker: aleph_call must await asynchronous service methods;
 * - [permissions] allowed_hosts not empty → worker: the SDK's HTTP needs a worker on Node 20;
 * - otherwise foreground.
 */
export function planMode(manifest: PluginManifest, options: WasmLoaderOptions = {}): ModePlan {
  const timeoutMs = manifest.limits.timeoutMs ?? options.defaultTimeoutMs;
  if (options.mode === "worker") return { worker: true, reason: "the loader runs every WASM plugin in a worker", timeoutMs };
  if (timeoutMs !== undefined) return { worker: true, reason: "timeout_ms is set: only a worker can be stopped", timeoutMs };
  if (manifest.services.requires.length > 0) {
    return { worker: true, reason: "it requires services: aleph_call awaits asynchronous methods, which only worker mode can do", timeoutMs };
  }
  if (manifest.permissions.allowedHosts.length > 0) return { worker: true, reason: "allowed_hosts is set: HTTP needs worker mode", timeoutMs };
  return { worker: false, reason: "nothing in its manifest needs a worker", timeoutMs };
}

function fail(code: AlephErrorCode, id: string, file: string, problem: Pick<ModuleProblem, "message" | "fix">): AlephError {
  return new AlephError(code, `${file.split("/").pop()} of plugin "${id}" ${problem.message}`, { file, fix: problem.fix });
}

/** `allowed_paths` (host → guest) as Extism wants it (guest → host); relative host paths are inside the data dir. */
function resolveAllowedPaths(manifest: PluginManifest, dataDir: string, manifestFile: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [host, guest] of Object.entries(manifest.permissions.allowedPaths)) {
    let path: string;
    if (isAbsolute(host)) {
      path = host;
      if (!existsSync(path) || !statSync(path).isDirectory()) {
        throw new AlephError("ALEPH_E_PERMISSION", `allowed_paths of plugin "${manifest.id}" grants "${host}", which is not a directory`, {
          file: manifestFile,
          fix: "create the directory, or correct [permissions] allowed_paths",
        });
      }
    } else {
      path = resolve(dataDir, host);
      const rel = relative(dataDir, path);
      if (rel.startsWith("..") || isAbsolute(rel)) {
        throw new AlephError("ALEPH_E_PERMISSION", `allowed_paths of plugin "${manifest.id}": relative path "${host}" leaves the plugin's data directory`, {
          file: manifestFile,
          fix: "use a path inside the data directory (\".\" is the data directory itself), or an absolute path",
        });
      }
      mkdirPrivateSync(path);
    }
    if (!guest.startsWith("/")) {
      throw new AlephError("ALEPH_E_PERMISSION", `allowed_paths of plugin "${manifest.id}": guest path "${guest}" is not absolute`, {
        file: manifestFile,
        fix: 'map each host path to an absolute guest path, e.g. { "." = "/data" }',
      });
    }
    out[guest] = path;
  }
  return out;
}

function extismLogger(log: Logger): Console {
  const at = (level: "trace" | "debug" | "info" | "warn" | "error") => (...parts: unknown[]) => log[level](parts.map((p) => (typeof p === "string" ? p : errorMessage(p))).join(" "), { from: "extism" });
  return { trace: at("trace"), debug: at("debug"), info: at("info"), log: at("info"), warn: at("warn"), error: at("error") } as unknown as Console;
}

/** Extism's own config (PDK `Config.get`): the top-level keys of the plugin's section, as strings. */
function extismConfig(config: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (config === null || typeof config !== "object") return out;
  for (const [key, value] of Object.entries(config)) {
    if (value !== undefined) out[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return out;
}

function parseOutput(text: string, id: string, fn: string, file: string): unknown {
  if (text === "") return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    const shown = text.length > 80 ? `${text.slice(0, 80)}…` : text;
    throw new AlephError("ALEPH_E_WASM_OUTPUT", `export "${fn}" of plugin "${id}" returned output that is not JSON: ${JSON.stringify(shown)}`, {
      file,
      fix: "return a JSON value (or nothing, for null) from the export",
    });
  }
}

interface Prepared {
  manifest: PluginManifest;
  file: string;
  module: WebAssembly.Module;
  facts: ModuleFacts;
  plan: ModePlan;
  options: WasmLoaderOptions;
}

async function setupWasmPlugin(ctx: PluginContext<unknown>, p: Prepared): Promise<void> {
  const { manifest, file, facts, plan } = p;
  const log = ctx.log;
  const memoryMb = manifest.limits.memoryMb ?? p.options.defaultMemoryMb;
  const allowedPaths = resolveAllowedPaths(manifest, ctx.paths.data, file);
  const grants = new FsGrants(allowedPaths);
  if (!grants.empty && !facts.usesFs) {
    log.warn(
      facts.usesWasiFiles
        ? "allowed_paths grants directories, but the module reads files through WASI, which sees none: use the aleph_fs_* host functions (docs/plugins.md, Files)"
        : "allowed_paths has no effect: the module imports none of the aleph_fs_* host functions",
      {},
    );
  }
  const kv = new KvStore(ctx.paths.data, log, p.options.kvMaxBytes ?? 16 * 1024 * 1024);

  let runner: WasmRunner | undefined;
  runner = new WasmRunner({
    id: ctx.id,
    file,
    module: p.module,
    worker: plan.worker,
    timeoutMs: plan.timeoutMs,
    teardownTimeoutMs: p.options.teardownTimeoutMs ?? 5000,
    resetEvery: p.options.resetEvery ?? 1024,
    resetEveryCall: memoryMb !== undefined,
    reactivate: facts.functions.has("activate"),
    log,
    extism: {
      useWasi: facts.usesWasi,
      // No preopened directories: node:wasi is no file-system sandbox (it follows symbolic links
      // out of a preopen, and path_symlink lets the guest make them). Files go through aleph_fs_*.
      allowedPaths: {},
      allowedHosts: manifest.permissions.allowedHosts,
      memory: memoryMb === undefined ? {} : { maxPages: memoryMb * 16 },
      config: extismConfig(ctx.config),
      logger: extismLogger(log),
      logLevel: "trace",
    },
    functions: (instance) =>
      createHostFunctions({ ctx, manifest, kv, grants, worker: plan.worker, runner: () => runner!, maxAnswerBytes: memoryMb === undefined ? undefined : memoryMb * 1024 * 1024 }, instance),
  });
  let activated = false;
  // Registered first, so it runs last on unload: after hooks and tools are gone, deactivate (if
  // activate went through), then close (a worker left open keeps the process alive), then the
  // key-value store reaches the disk.
  ctx.onDispose(async () => {
    await runner!.close(activated && facts.functions.has("deactivate"));
    await kv.flush();
  });
  await runner.start();
  log.debug("wasm plugin started", { mode: runner.mode, why: plan.reason, timeoutMs: plan.timeoutMs, memoryMb });

  if (facts.functions.has("activate")) {
    try {
      await runner.call("activate", "");
    } catch (error) {
      const e = error as AlephError;
      throw new AlephError("ALEPH_E_SETUP", `activate of plugin "${ctx.id}" failed: ${isAlephError(e) ? `${e.code}: ` : ""}${errorMessage(e)}`, {
        file,
        fix: e.fix ?? "fix the plugin's activate export",
        cause: error,
      });
    }
  }
  activated = true;

  const report = (event: string, error: unknown) => {
    const e = error as AlephError;
    if (e?.code === "ALEPH_E_SERVICE" && ctx.signal.aborted) return; // unloading: queued calls are dropped
    const code = isAlephError(e) ? e.code : "ALEPH_E_WASM_TRAP";
    log.error("hook failed", { event, code, error: errorMessage(e) });
    if (event !== "plugin.error") {
      ctx.events.emit("plugin.error", { id: ctx.id, event, message: errorMessage(e), code }).catch(() => undefined);
    }
  };

  for (const hook of manifest.hooks) {
    ctx.events.on(hook.event, (payload: unknown) => {
      let input: string;
      try {
        input = JSON.stringify(payload ?? null);
      } catch (error) {
        report(hook.event, new AlephError("ALEPH_E_WASM_TRAP", `payload of ${hook.event} is not JSON-serialisable: ${errorMessage(error)}`));
        return undefined;
      }
      const done = runner!
        .call(hook.handler, input, { reentrant: "defer" })
        .then((text) => void parseOutput(text, ctx.id, hook.handler, file))
        .catch((error: unknown) => report(hook.event, error));
      // An event this plugin emitted to itself runs after the current call; the emitter (this
      // plugin's own host function) must not wait for it.
      return runner!.isReentrant() ? undefined : done;
    });
  }

  if (manifest.tools.length > 0) {
    const declared = manifest.services.requires.includes("tools") || manifest.services.optional.includes("tools");
    const registry = declared ? ctx.services.getOptional<ToolsService>(toolsRef) : undefined;
    if (!registry) {
      log.warn(
        declared
          ? "no tools service is active: the plugin's [[tools]] are not registered"
          : 'the plugin declares [[tools]] but not the "tools" service: its tools are not registered (add "tools" to [services] optional)',
        { tools: manifest.tools.map((t) => t.name) },
      );
    } else {
      for (const tool of manifest.tools) {
        const registration = registry.register(
          {
            name: tool.name,
            description: tool.description,
            parameters: tool.parameters,
            handler: (args: unknown) => runner!.call(tool.handler, JSON.stringify(args ?? {})).then((output) => parseOutput(output, ctx.id, tool.handler, file)),
          },
          ctx.id,
        );
        ctx.onDispose(() => registration.dispose());
      }
    }
  }
}

/**
 * The loader for `kind = "wasm"` plugins: pass it to the kernel as `loaders: { wasm: createWasmLoader() }`.
 * Loading reads, checks and compiles the module (nothing of it runs); the returned definition's
 * setup instantiates it through Extism, runs `activate`, binds [[hooks]] and registers [[tools]].
 */
export function createWasmLoader(options: WasmLoaderOptions = {}): WasmPluginLoader {
  return async (candidate, _attempt, timeoutMs) => {
    const manifest = candidate.manifest;
    if (!manifest) {
      throw new AlephError("ALEPH_E_MANIFEST", `plugin in ${candidate.dir} has no valid manifest`, { file: candidate.manifestFile, fix: "fix aleph_plugin.toml" });
    }
    const file = candidate.entryFile;
    if (!file) {
      throw new AlephError("ALEPH_E_ENTRY", `plugin "${manifest.id}": the host did not resolve its module file`, {
        file: candidate.manifestFile,
        fix: "load WASM plugins through an Aleph kernel, which resolves and confines the entry",
      });
    }
    let bytes: Uint8Array = await readFile(file);
    const header = checkHeader(bytes);
    if (header) throw fail("ALEPH_E_ENTRY", manifest.id, file, header);
    const memoryMb = manifest.limits.memoryMb ?? options.defaultMemoryMb;
    if (memoryMb !== undefined) {
      let capped: ReturnType<typeof capMemory>;
      try {
        capped = capMemory(bytes, memoryMb * 16);
      } catch (error) {
        throw fail("ALEPH_E_ENTRY", manifest.id, file, { message: `is not a valid WebAssembly module: ${errorMessage(error)}`, fix: "rebuild the module" });
      }
      if (capped.problem) throw fail("ALEPH_E_ENTRY", manifest.id, file, capped.problem);
      bytes = capped.bytes;
    }
    let module: WebAssembly.Module;
    let timer: NodeJS.Timeout | undefined;
    try {
      module = await Promise.race([
        WebAssembly.compile(bytes),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new AlephError("ALEPH_E_TIMEOUT", `compiling ${file} took longer than ${timeoutMs} ms`, { file, fix: "use a smaller module, or raise [extensions] setup_timeout_ms" })), timeoutMs);
        }),
      ]);
    } catch (error) {
      if (isAlephError(error)) throw error;
      throw fail("ALEPH_E_ENTRY", manifest.id, file, { message: `is not a valid WebAssembly module: ${errorMessage(error)}`, fix: "rebuild the module with an Extism PDK" });
    } finally {
      clearTimeout(timer);
    }
    const { facts, problems } = checkModule(module, manifest);
    if (problems.length > 0) {
      throw new AlephError("ALEPH_E_ENTRY", `${file.split("/").pop()} of plugin "${manifest.id}" ${problems.map((p) => p.message).join("; it also ")}`, {
        file,
        fix: problems.map((p) => p.fix).join("; "),
      });
    }
    const prepared: Prepared = { manifest, file, module, facts, plan: planMode(manifest, options), options };
    return { definition: { setup: (ctx) => setupWasmPlugin(ctx, prepared) } };
  };
}
