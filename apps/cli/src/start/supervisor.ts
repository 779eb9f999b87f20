import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  acquireLock,
  clearChildNotes,
  EXIT_START_FAILED,
  FRESH_WORKSPACE_ENV,
  readQuarantine,
  recordCrash,
  resolvePaths,
  SUPERVISOR_INFO_ENV,
  SUPERVISOR_LOCK_ENV,
  writeQuarantine,
  type ChildMessage,
  type HeldLock,
  type RestartInfo,
} from "@aleph/kernel/light";
import { judgeCrash, restartInfo, type ChildEnd } from "./crash-blame.js";
import { readSupervisorSettings } from "./supervisor-settings.js";

/*
 * `aleph start`: a thin supervisor (no plugin code, no kernel stack) that holds the root's lock
 * and runs the kernel as a child process (start/kernel-child.ts). A child that crashes, stalls
 * (no heartbeat for [extensions] stall_timeout_ms) or runs out of heap is restarted with backoff,
 * after the plugin to blame is counted and, when the blame is certain or repeated, quarantined
 * (crash-blame.ts, run/quarantine.json). The lock stays with the supervisor across restarts, so
 * no other kernel can slip in between. SIGTERM/SIGINT reach the child for an orderly stop, which
 * may take [extensions] shutdown_timeout_ms before the child is killed.
 *
 * Exit codes: 0 stopped in order; 1 the kernel could not start (it said why) or the root is
 * locked; 124 the kernel did not stop within shutdown_timeout_ms and was killed.
 */

export const EXIT_SHUTDOWN_KILLED = 124;
/** A kernel that stayed up this long was healthy: the next crash restarts it at once again. */
const HEALTHY_AFTER_MS = 30_000;
const MAX_BACKOFF_MS = 30_000;

const err = (text: string) => void process.stderr.write(`aleph start: ${text}\n`);

function backoffMs(consecutiveCrashes: number): number {
  return consecutiveCrashes <= 1 ? 0 : Math.min(MAX_BACKOFF_MS, 500 * 2 ** (consecutiveCrashes - 2));
}

export async function supervise(startArgs: string[]): Promise<number> {
  let paths;
  try {
    paths = resolvePaths({ env: process.env, cwd: process.cwd() });
  } catch (error) {
    err((error as Error).message);
    return 1;
  }
  const freshWorkspace = !existsSync(paths.root);
  let lock: HeldLock;
  try {
    lock = acquireLock(paths.runDir);
  } catch (error) {
    const e = error as { message: string; fix?: string; code?: string };
    err(`${e.code ? `${e.code}: ` : ""}${e.message}${e.fix ? `\n  fix: ${e.fix}` : ""}`);
    return 1;
  }
  const runDir = paths.runDir;
  const childScript = fileURLToPath(new URL("./kernel-child.js", import.meta.url));

  let child: ChildProcess | undefined;
  let stopping: NodeJS.Signals | undefined;
  let killedAtShutdown = false;
  let restarts = 0;
  let consecutiveCrashes = 0;
  let last: RestartInfo | undefined;

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      err(`received ${signal} again; killing the kernel now`);
      child?.kill("SIGKILL");
      return;
    }
    stopping = signal;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    const settings = readSupervisorSettings(paths.configFile);
    setTimeout(() => {
      if (child && child.exitCode === null && child.signalCode === null) {
        killedAtShutdown = true;
        err(`the kernel did not stop within ${settings.shutdownTimeoutMs} ms ([extensions] shutdown_timeout_ms); killing it`);
        child.kill("SIGKILL");
      }
    }, settings.shutdownTimeoutMs).unref();
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("exit", () => lock.release());

  for (let first = true; ; first = false) {
    if (stopping) return 0;
    const settings = readSupervisorSettings(paths.configFile);
    const info = { pid: process.pid, restarts, ...(last ? { last } : {}), stallTimeoutMs: settings.stallTimeoutMs };
    const spawnedAt = Date.now();
    let readyAt: number | undefined;
    let lastBeat = Date.now();
    let stalled = false;
    child = spawn(process.execPath, [`--max-old-space-size=${settings.kernelMaxHeapMb}`, childScript, ...startArgs], {
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      // Its own process group: a Ctrl-C in the terminal reaches the supervisor, which passes it on once.
      detached: true,
      env: {
        ...process.env,
        [SUPERVISOR_LOCK_ENV]: lock.record.nonce!,
        [SUPERVISOR_INFO_ENV]: JSON.stringify(info),
        ...(first && freshWorkspace ? { [FRESH_WORKSPACE_ENV]: "1" } : {}),
      },
    });
    const pid = child.pid!;
    child.on("message", (message: ChildMessage) => {
      lastBeat = Date.now();
      if (message.type === "ready") readyAt = Date.now();
    });
    const watch = setInterval(() => {
      if (stopping || stalled || Date.now() - lastBeat <= settings.stallTimeoutMs) return;
      stalled = true;
      err(`the kernel (pid ${pid}) has not answered for ${settings.stallTimeoutMs} ms ([extensions] stall_timeout_ms); killing it`);
      child?.kill("SIGKILL");
    }, 250);
    const end = await new Promise<ChildEnd>((resolve) => child!.on("exit", (code, signal) => resolve({ pid, code, signal, stalled })));
    clearInterval(watch);

    if (stopping) {
      clearChildNotes(runDir);
      return killedAtShutdown ? EXIT_SHUTDOWN_KILLED : end.code === 0 || end.signal === stopping ? 0 : (end.code ?? 1);
    }
    const verdict = judgeCrash(runDir, end);
    clearChildNotes(runDir);
    if (end.code === EXIT_START_FAILED && verdict.blames.length === 0) return 1; // it said why
    if (end.code === 0 && !end.signal) return 0; // stopped by itself in order (its supervisor went away meanwhile)
    if (readyAt === undefined && restarts === 0 && verdict.blames.length === 0) {
      err(`${verdict.detail} before it was ready, and no plugin can be blamed; not restarting it (see ${paths.logDir})`);
      return 1;
    }

    const state = readQuarantine(runDir);
    const outcomes: string[] = [];
    for (const blame of verdict.blames) {
      const quarantined = recordCrash(state, blame, settings.quarantineAfter);
      outcomes.push(quarantined ? `plugin "${blame.id}" is quarantined (lift it with \`aleph plugins enable ${blame.id}\`)` : `plugin "${blame.id}" is blamed (crash ${state.crashes[blame.id]!.count} of ${settings.quarantineAfter} before quarantine)`);
    }
    if (verdict.blames.length > 0) writeQuarantine(runDir, state);

    consecutiveCrashes = readyAt !== undefined && Date.now() - readyAt >= HEALTHY_AFTER_MS ? 1 : consecutiveCrashes + 1;
    const delay = backoffMs(consecutiveCrashes);
    restarts += 1;
    last = restartInfo(verdict);
    err(`${verdict.detail}${outcomes.length > 0 ? `; ${outcomes.join("; ")}` : ""}; restarting it${delay > 0 ? ` in ${delay} ms` : ""} (restart ${restarts}, up ${Math.round((Date.now() - spawnedAt) / 1000)} s)`);
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
  }
}
