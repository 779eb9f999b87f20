import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import {
  acquireLock,
  BEAT_SLOT,
  GAUGE_MS,
  HEAP_SLOT,
  OWNER_SLOT,
  readQuarantine,
  recordCrash,
  resolvePaths,
  writeQuarantine,
  type AlephPaths,
  type HeldLock,
  type KernelMessage,
  type PluginFiles,
  type SupervisorMessage,
  type RestartInfo,
} from "@aleph/kernel/light";
import { judgeCrash, restartInfo, type KernelEnd } from "./crash-blame.js";
import { EXIT_SHUTDOWN_KILLED, EXIT_START_FAILED } from "./exit-codes.js";
import { createKernelThread, type KernelThread } from "./kernel-thread.js";
import { readSupervisorSettings, type SupervisorSettings } from "./supervisor-settings.js";

/*
 * `aleph start`: a thin supervisor (no plugin code, no kernel stack) on the process's main thread.
 * It holds the root's lock and runs the kernel in a worker thread (start/kernel-worker.ts) with a
 * capped heap. A kernel that crashes, stalls (its heartbeat stops for [extensions]
 * stall_timeout_ms) or runs out of heap is ended and started again with backoff, after the plugin
 * to blame is counted and, when the blame is certain or repeated, quarantined (crash-blame.ts,
 * run/quarantine.json). The lock stays here across restarts, so no other kernel slips in between.
 * SIGTERM/SIGINT ask the kernel for an orderly stop, which may take [extensions]
 * shutdown_timeout_ms before the kernel is ended.
 *
 * A thread, not a process: a second Node process costs more start-up time than `aleph start` has
 * (docs/isolation.md weighs it). A worker's process.exit, heap overrun and endless loop end the
 * worker only; what it cannot contain is native code crashing the process.
 *
 * Exit codes: 0 stopped in order; 1 the kernel could not start (it said why), the root is
 * locked, or a second signal ended the kernel at once; 124 the kernel did not stop within
 * shutdown_timeout_ms and was ended.
 */

/** A kernel that stayed up this long was healthy: the next crash restarts it at once again. */
const HEALTHY_AFTER_MS = 30_000;
const MAX_BACKOFF_MS = 30_000;
const ABANDON_AFTER_MS = 3_000;
/** While the heap is at least this full (percent of its limit), the owner slot is sampled to find who fills it. */
const HEAP_WATCH_PERCENT = 30;

const err = (text: string) => void process.stderr.write(`aleph start: ${text}\n`);

function backoffMs(consecutiveCrashes: number): number {
  return consecutiveCrashes <= 1 ? 0 : Math.min(MAX_BACKOFF_MS, 500 * 2 ** (consecutiveCrashes - 2));
}

/** A dead kernel's announcement (run/kernel.json) and socket would send commands to nobody until the next one is up. */
function forgetDeadKernel(paths: AlephPaths): void {
  const info = join(paths.runDir, "kernel.json");
  try {
    const socket = (JSON.parse(readFileSync(info, "utf8")) as { socket?: string }).socket;
    if (socket) rmSync(socket, { force: true });
  } catch {
    // none announced
  }
  rmSync(info, { force: true });
}

interface Run {
  worker: KernelThread["worker"];
  end: Promise<KernelEnd>;
  /** Ends the thread (and gives up waiting for it after ABANDON_AFTER_MS). */
  kill(reason: string): void;
  readyAt(): number | undefined;
}

/** Watches a kernel thread (it loads its code, then waits for `go`) until it ends. */
function watchKernel(thread: KernelThread, settings: SupervisorSettings, onStall: () => void): Run {
  const { worker } = thread;
  const slots = new Int32Array(thread.shared);
  const owners = new Map<number, { id: string; files?: PluginFiles }>();
  let readyAt: number | undefined;
  let error: KernelEnd["error"];
  let stalled = false;
  let stallOwner = 0;
  const heapSamples = new Map<number, number>();
  worker.on("message", (message: KernelMessage) => {
    if (message.type === "ready") readyAt = Date.now();
    else if (message.type === "owner") owners.set(message.index, { id: message.id, ...(message.files ? { files: message.files } : {}) });
  });
  worker.on("error", (e: Error & { code?: string }) => (error = { ...(e.code ? { code: e.code } : {}), message: e.message }));

  // Who fills the heap: sampled often, only while it is high (a fast allocation fills a small cap within a second).
  let heapWatch: NodeJS.Timeout | undefined;
  const sampleOwner = () => {
    const owner = Atomics.load(slots, OWNER_SLOT);
    if (owner > 0) heapSamples.set(owner, (heapSamples.get(owner) ?? 0) + 1);
  };
  let lastBeat = Atomics.load(slots, BEAT_SLOT);
  let lastBeatAt = Date.now();
  const watch = setInterval(() => {
    const high = Atomics.load(slots, HEAP_SLOT) >= HEAP_WATCH_PERCENT;
    if (high && !heapWatch) heapWatch = setInterval(sampleOwner, 2);
    else if (!high && heapWatch) {
      clearInterval(heapWatch);
      heapWatch = undefined;
      heapSamples.clear();
    }
    const beat = Atomics.load(slots, BEAT_SLOT);
    if (beat !== lastBeat) {
      lastBeat = beat;
      lastBeatAt = Date.now();
    } else if (!stalled && Date.now() - lastBeatAt > settings.stallTimeoutMs) {
      stalled = true;
      stallOwner = Atomics.load(slots, OWNER_SLOT);
      onStall();
      end_("stalled");
    }
  }, GAUGE_MS);
  let finish!: (exitCode: number) => void;
  const end = new Promise<KernelEnd>((resolve) => {
    let done = false;
    finish = (exitCode) => {
      if (done) return;
      done = true;
      clearInterval(watch);
      clearInterval(heapWatch);
      const heapSuspect = [...heapSamples].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 0;
      resolve({ exitCode, ...(error ? { error } : {}), stalled, slots: Int32Array.from(slots), stallOwner, heapSuspect, owners });
    };
  });
  worker.on("exit", (exitCode) => finish(exitCode));
  // A thread stuck in a synchronous native call cannot be interrupted: after a while it is abandoned (freed when the process exits).
  const end_ = (reason: string) => {
    void worker.terminate();
    setTimeout(() => {
      err(`the kernel thread did not end (${reason}: stuck in native code?); abandoning it`);
      finish(1);
    }, ABANDON_AFTER_MS).unref();
  };
  return { worker, end, kill: end_, readyAt: () => readyAt };
}

export async function supervise(startArgs: string[], firstThread?: KernelThread): Promise<number> {
  let early = firstThread;
  let paths: AlephPaths;
  try {
    paths = resolvePaths({ env: process.env, cwd: process.cwd() });
  } catch (error) {
    void early?.worker.terminate();
    err((error as Error).message);
    return 1;
  }
  const freshWorkspace = !existsSync(paths.root);
  let run: Run | undefined;
  let stopping: string | undefined;
  let killedAtShutdown = false;
  let forced = false;
  const stop = (signal: string) => {
    if (stopping) {
      forced = true;
      err(`received ${signal} again; ending the kernel now`);
      run?.kill("a second signal");
      return;
    }
    stopping = signal;
    if (!run) return;
    run.worker.postMessage({ type: "stop", signal });
    const { shutdownTimeoutMs } = readSupervisorSettings(paths.configFile);
    setTimeout(() => {
      killedAtShutdown = true;
      err(`the kernel did not stop within ${shutdownTimeoutMs} ms ([extensions] shutdown_timeout_ms); ending it`);
      run?.kill("shutdown timeout");
    }, shutdownTimeoutMs).unref();
  };
  const onStall = (settings: SupervisorSettings) => () => err(`the kernel has not answered for ${settings.stallTimeoutMs} ms ([extensions] stall_timeout_ms); ending it`);

  // The first kernel thread (created by bin.ts before this module loaded) loads its code while the
  // lock is taken; a config that asks for another heap cap gets a thread made with it.
  let settings = readSupervisorSettings(paths.configFile);
  if (!early || early.heapMb !== settings.kernelMaxHeapMb) {
    void early?.worker.terminate();
    early = createKernelThread(settings.kernelMaxHeapMb);
  }
  run = watchKernel(early, settings, onStall(settings));
  let lock: HeldLock;
  try {
    lock = acquireLock(paths.runDir);
  } catch (error) {
    void run.worker.terminate();
    const e = error as { message: string; fix?: string; code?: string };
    err(`${e.code ? `${e.code}: ` : ""}${e.message}${e.fix ? `\n  fix: ${e.fix}` : ""}`);
    return 1;
  }
  process.on("exit", () => lock.release());
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));

  let restarts = 0;
  let consecutiveCrashes = 0;
  let last: RestartInfo | undefined;
  for (let first = true; ; first = false) {
    if (stopping) {
      void run?.worker.terminate();
      return 0;
    }
    if (!first) {
      settings = readSupervisorSettings(paths.configFile);
      run = watchKernel(createKernelThread(settings.kernelMaxHeapMb), settings, onStall(settings));
    }
    const current = run!;
    current.worker.postMessage({
      type: "go",
      lockNonce: lock.record.nonce!,
      info: { pid: process.pid, restarts, ...(last ? { last } : {}) },
      freshWorkspace: first && freshWorkspace,
      events: startArgs.includes("--events"),
      watch: !startArgs.includes("--no-watch"),
    } satisfies SupervisorMessage);
      const startedAt = Date.now();
    const end = await current.end;
    const readyAt = current.readyAt();
    run = undefined;

    if (stopping) {
      if (killedAtShutdown || forced) forgetDeadKernel(paths);
      return forced ? 1 : killedAtShutdown ? EXIT_SHUTDOWN_KILLED : 0;
    }
    forgetDeadKernel(paths);
    const verdict = judgeCrash(end);
    if (end.exitCode === EXIT_START_FAILED && verdict.blames.length === 0) return 1; // it said why
    if (end.exitCode === 0 && !end.error && !end.stalled) {
      // It stopped by itself, in order (nothing asked it to): said, so a log shows why aleph start ended.
      err("the kernel stopped by itself (no signal was received); aleph start ends too");
      return 0;
    }
    if (readyAt === undefined && restarts === 0 && verdict.blames.length === 0) {
      err(`${verdict.detail} before it was ready, and no plugin can be blamed; not starting it again (see ${paths.logDir})`);
      return 1;
    }

    const state = readQuarantine(paths.runDir);
    const outcomes = verdict.blames.map((blame) =>
      recordCrash(state, blame, settings.quarantineAfter)
        ? `plugin "${blame.id}" is quarantined (lift it with \`aleph plugins enable ${blame.id}\`)`
        : `plugin "${blame.id}" is blamed (crash ${state.crashes[blame.id]!.count} of ${settings.quarantineAfter} before quarantine)`,
    );
    if (verdict.blames.length > 0) writeQuarantine(paths.runDir, state);

    consecutiveCrashes = readyAt !== undefined && Date.now() - readyAt >= HEALTHY_AFTER_MS ? 1 : consecutiveCrashes + 1;
    const delay = backoffMs(consecutiveCrashes);
    restarts += 1;
    last = restartInfo(verdict);
    err(`${verdict.detail}${outcomes.length > 0 ? `; ${outcomes.join("; ")}` : ""}; starting it again${delay > 0 ? ` in ${delay} ms` : ""} (restart ${restarts}, it ran ${Math.round((Date.now() - startedAt) / 1000)} s)`);
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
  }
}
