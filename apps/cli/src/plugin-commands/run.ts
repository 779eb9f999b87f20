import { realpathSync } from "node:fs";
import { isAbsolute, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { AlephError, type CommandDeclaration, type CommandHandler, type CommandInput, type KernelHandle, type PluginDefinition, type PluginInfo } from "@aleph/plugin-sdk/core";
import { resolvePaths, type AlephPaths } from "@aleph/kernel/light";
import type { PluginCandidate } from "@aleph/kernel/discovery";
import { bundledPlugins } from "../bundled.js";
import { LazyKernel } from "../kernel-handle/lazy.js";
import { openKernelHandle, type OpenHandle } from "../kernel-handle/open.js";
import { runningKernel } from "../kernel-handle/running-kernel.js";
import { serviceDownError } from "../kernel-handle/invoke-service.js";
import type { IndexedCommand } from "./command-index.js";
import type { ParsedCommandLine } from "./parse-args.js";
import type { CommandIo } from "./io.js";

/** How long importing a plugin's entry for its command may take (setup_timeout_ms's default). */
const IMPORT_TIMEOUT_MS = 10_000;

/**
 * The validated copy of the plugin that owns `indexed`'s command, as the kernel discovers it. Its
 * code (manifest schemas, every plugin's manifest read) is imported only on this, the full way.
 */
async function ownerCandidate(indexed: IndexedCommand, env: NodeJS.ProcessEnv, cwd: string): Promise<{ candidate: PluginCandidate; declaration: CommandDeclaration }> {
  const { discoverPlugins, pluginSearchPaths } = await import("@aleph/kernel/discovery");
  const paths = resolvePaths({ env, cwd });
  const found = discoverPlugins(indexed.source === "bundled" ? [] : pluginSearchPaths(paths), bundledPlugins());
  const candidate = found.winners.get(indexed.pluginId);
  if (!candidate) throw new AlephError("ALEPH_E_NOT_FOUND", `plugin "${indexed.pluginId}" is gone from ${indexed.dir}`, { fix: "run `aleph plugins list`" });
  if (candidate.error) throw candidate.error;
  const declaration = candidate.manifest!.commands.find((c) => c.name === indexed.declaration.name);
  if (!declaration) {
    throw new AlephError("ALEPH_E_MANIFEST", `plugin "${indexed.pluginId}" no longer declares "${indexed.declaration.name}"`, { file: candidate.manifestFile, fix: "run `aleph --help` for its commands" });
  }
  return { candidate, declaration };
}

/** Why a command's plugin is not running in a kernel, in the words of its failure. */
function pluginDownError(id: string, plugins: PluginInfo[], daemonOffline = false): AlephError {
  if (daemonOffline) {
    return new AlephError("ALEPH_E_DEPENDENCY", `plugin "${id}" is a daemon: it runs only in the kernel of \`aleph start\`, and none is running`, {
      fix: "start it (`aleph start`, in another terminal or as a service), then run the command again",
    });
  }
  const info = plugins.find((p) => p.id === id && p.status !== "overridden" && !p.runningInstead);
  if (info?.provides[0] && info.error) return serviceDownError(info.provides[0], plugins);
  if (info?.error) {
    return new AlephError("ALEPH_E_DEPENDENCY", `plugin "${id}" failed with ${info.error.code}: ${info.error.message}`, {
      fix: info.error.fix ?? `fix it, then check \`aleph plugins inspect ${id}\``,
      ...(info.error.file ? { file: info.error.file } : {}),
      ...(info.error.line ? { line: info.error.line } : {}),
    });
  }
  return new AlephError("ALEPH_E_DEPENDENCY", `plugin "${id}" is ${info?.status ?? "not loaded"}`, { fix: `check \`aleph plugins inspect ${id}\`` });
}

function handlerOf(definition: PluginDefinition<unknown> | undefined, id: string, name: string, file: string): CommandHandler {
  const handler = definition?.commands?.[name];
  if (typeof handler !== "function") {
    throw new AlephError("ALEPH_E_ENTRY", `plugin "${id}" declares the command "${name}" but its definition has no handler for it`, {
      file,
      fix: `add commands: { "${name}": async (cmd) => { … } } to its definePlugin({ … })`,
    });
  }
  return handler;
}

/**
 * Runs `work` with a plugin's code and a kernel handle. The plugin's entry is imported here, for
 * its code; the handle opens on its first use: the running kernel's control socket, or else a
 * kernel in this process with only the plugin, `services`, and what they require. Either way the
 * plugin must be active there — a plugin that is not fails that first call in the words of its
 * failure — and code that never calls the kernel (input it refuses, a command that only reads a
 * file) runs without one, in both modes alike.
 */
export async function withPluginCode<T>(
  plugin: { id: string; daemon: boolean; services: string[]; allPlugins?: boolean; load: () => Promise<PluginDefinition<unknown>> },
  io: CommandIo,
  work: (definition: PluginDefinition<unknown>, handle: KernelHandle, paths: AlephPaths, foreground: () => Promise<void>) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  const paths = resolvePaths({ env: io.env, cwd: io.cwd });
  const options = { paths, env: io.env, cwd: io.cwd, scope: { plugins: [plugin.id], services: plugin.services, allButDaemons: plugin.allPlugins === true }, foreground: false };
  const daemon = plugin.daemon;
  const checked = async (): Promise<OpenHandle> => {
    const open = await openKernelHandle(options);
    try {
      const plugins = open.handle.mode === "in-process" ? open.handle.kernel.status().plugins : (await open.handle.status()).plugins;
      if (!plugins.some((p) => p.id === plugin.id && p.status === "active")) throw pluginDownError(plugin.id, plugins, daemon && open.handle.mode === "in-process");
      return open;
    } catch (error) {
      await open.close();
      throw error;
    }
  };
  const definition = await plugin.load();
  const lazy = new LazyKernel(checked, runningKernel(paths) ? "remote" : "in-process", signal);
  // CommandInput.foreground: decided before the kernel opens, since it changes which kernel that is.
  const foreground = async () => {
    if (lazy.opened) throw new AlephError("ALEPH_E_USAGE", "foreground() must be called before the command's first kernel call", { fix: "call cmd.foreground() first in the handler" });
    options.foreground = true;
    await lazy.status();
  };
  try {
    return await work(definition, lazy, paths, foreground);
  } finally {
    await lazy.close();
  }
}

/** The plugin's code as the kernel loads it: its validated manifest, its entry through the Node loader (TypeScript too). */
export async function definitionOf(candidate: PluginCandidate): Promise<PluginDefinition<unknown>> {
  const [{ loadableCandidate }, { loadNodePlugin }] = await Promise.all([import("@aleph/kernel/discovery"), import("@aleph/node-host")]);
  return (await loadNodePlugin(loadableCandidate(candidate), 1, IMPORT_TIMEOUT_MS)).definition;
}

/**
 * The quick way to a command's handlers, for the common case: the manifest's `commands_entry` (or
 * entry) is a built JavaScript module inside the plugin's directory, imported as it is — no
 * discovery of every plugin, no manifest schemas, no loader hooks, and with a `commands_entry`
 * none of the plugin's own code beyond its handlers. Anything else (TypeScript, a missing or
 * escaping file, a module that does not import or lacks the handler) returns undefined, and the
 * command goes the full way, which says precisely what is wrong.
 */
async function quickDefinition(indexed: IndexedCommand): Promise<PluginDefinition<unknown> | undefined> {
  try {
    const dir = realpathSync(indexed.dir);
    const file = realpathSync(resolve(indexed.dir, indexed.codeFile));
    const inside = relative(dir, file);
    if (!/\.(m?js|cjs)$/.test(file) || inside.startsWith("..") || isAbsolute(inside)) return undefined;
    const module = (await import(pathToFileURL(file).href)) as { default?: unknown };
    const definition = (module.default ?? module) as PluginDefinition<unknown>;
    return typeof definition?.commands?.[indexed.declaration.name] === "function" ? definition : undefined;
  } catch {
    return undefined;
  }
}

/** How long a command may take to wind down after Ctrl-C before the host stops it anyway. */
const INTERRUPT_GRACE_MS = 3_000;

/**
 * Runs a plugin's command, its command line already checked against the declaration (parse-args.ts).
 *
 * Ctrl-C aborts the command's signal, and with it every call the handler has in flight through
 * its kernel handle. A handler that has not returned INTERRUPT_GRACE_MS later (or at a second
 * Ctrl-C) is left behind: the kernel this command started is stopped — its plugins' state saved —
 * and aleph exits 130.
 */
export async function runPluginCommand(indexed: IndexedCommand, parsed: ParsedCommandLine, io: CommandIo): Promise<number> {
  const name = indexed.declaration.name;
  if (indexed.disabledBy) {
    throw new AlephError("ALEPH_E_DEPENDENCY", `"aleph ${name}" belongs to plugin "${indexed.pluginId}", which does not load: ${indexed.disabledBy}`, {
      fix: `enable the plugin, or see \`aleph plugins inspect ${indexed.pluginId}\``,
    });
  }
  const quick = await quickDefinition(indexed);
  const owner = quick ? undefined : await ownerCandidate(indexed, io.env, io.cwd);
  const declaration = owner?.declaration ?? indexed.declaration;
  const manifestFile = owner?.candidate.manifestFile ?? indexed.manifestFile;
  const controller = new AbortController();
  let giveUp!: () => void;
  const interrupted = new Promise<"interrupted">((resolve) => (giveUp = () => resolve("interrupted")));
  // A handler that takes Ctrl-C itself (a conversation cancels its running turn) gets it instead.
  const interruptHandlers: (() => void)[] = [];
  const onSigint = () => {
    const taken = interruptHandlers.at(-1);
    if (taken) return taken();
    if (controller.signal.aborted) return giveUp();
    controller.abort();
    setTimeout(giveUp, INTERRUPT_GRACE_MS).unref();
  };
  process.on("SIGINT", onSigint);
  let outcome: number | "interrupted";
  try {
    outcome = await withPluginCode(
      {
        id: indexed.pluginId,
        daemon: owner ? owner.candidate.manifest?.daemon === true : indexed.daemon,
        services: declaration.services,
        allPlugins: declaration.allPlugins,
        load: async () => quick ?? definitionOf(owner!.candidate),
      },
      io,
      async (definition, handle, paths, foreground) => {
        const handler = handlerOf(definition, indexed.pluginId, name, manifestFile);
        const input: CommandInput = {
          name,
          args: parsed.args,
          options: parsed.options,
          out: io.out,
          err: io.err,
          stdin: io.stdin ?? process.stdin,
          cwd: io.cwd,
          env: io.env,
          paths: { root: paths.root, configFile: paths.configFile, workspace: paths.workspaceDir },
          kernel: handle,
          signal: controller.signal,
          foreground,
          interrupts: (handler) => {
            interruptHandlers.push(handler);
            return { dispose: () => void interruptHandlers.splice(interruptHandlers.indexOf(handler) >>> 0, 1) };
          },
        };
        const ran = Promise.resolve(handler(input)).then((code) => code ?? 0);
        return Promise.race([ran, interrupted]);
      },
      controller.signal,
    );
  } catch (error) {
    // A handler that ends with its own cancellation after Ctrl-C was interrupted, not broken.
    if (controller.signal.aborted && (error as AlephError).code === "ALEPH_E_CANCELLED") outcome = "interrupted";
    else throw error;
  } finally {
    process.off("SIGINT", onSigint);
  }
  if (outcome !== "interrupted") return outcome;
  io.err(`aleph: "${name}" interrupted\n`);
  // The handler may still hold the event loop (a timer, a socket): the kernel is stopped, so go.
  process.exit(130);
}
