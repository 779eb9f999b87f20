import { spawn } from "node:child_process";
import { AlephError, errorMessage } from "@aleph/plugin-sdk";
import { CappedOutput } from "./output-cap.js";
import { groupAlive, signalGroup } from "./process-group.js";

/*
 * Runs one command line with /bin/sh -c: in its own process group (detached: a new session, no
 * controlling terminal), stdin closed, the environment given and nothing else, output capped.
 * Stopping it — on timeout, on abort, and at its end for whatever it left running — signals the
 * whole group: SIGTERM, then SIGKILL after a grace for what is still there. Nothing a command
 * starts in its group outlives the call.
 */

/** Between SIGTERM and SIGKILL: time to exit cleanly. */
export const KILL_GRACE_MS = 2000;
/**
 * After the shell exits, how long its output pipes may stay open (held by a process that left the
 * group, e.g. with setsid) before the call stops reading them and returns what it has.
 */
export const DRAIN_MS = 500;

export interface RunCommandOptions {
  command: string;
  /** An existing folder (already checked by the caller). */
  cwd: string;
  /** The complete environment of the command. */
  env: Record<string, string>;
  timeoutMs: number;
  /** Cap of each of stdout and stderr. */
  maxOutputBytes: number;
  /** Aborting it stops the command (the turn was cancelled). */
  signal?: AbortSignal | undefined;
  killGraceMs?: number;
  /** Default /bin/sh. */
  shell?: string;
}

export interface RunCommandResult {
  /** The shell's exit code; null when a signal ended it. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  cancelled: boolean;
  stdout: string;
  stderr: string;
  /** True when either stream was over the cap (its middle was cut). */
  truncated: boolean;
  /** The shell's pid, which is also its process group id. */
  pid: number;
  ms: number;
}

export function runCommand(options: RunCommandOptions): Promise<RunCommandResult> {
  const shell = options.shell ?? "/bin/sh";
  const grace = options.killGraceMs ?? KILL_GRACE_MS;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(shell, ["-c", options.command], { cwd: options.cwd, env: options.env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    const stdout = new CappedOutput(options.maxOutputBytes);
    const stderr = new CappedOutput(options.maxOutputBytes);
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));

    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let timedOut = false;
    let cancelled = false;
    let stopping = false;
    let settled = false;
    let drainTimer: NodeJS.Timeout | undefined;

    const stopGroup = () => {
      const pid = child.pid;
      if (stopping || pid === undefined) return;
      stopping = true;
      if (!signalGroup(pid, "SIGTERM")) return; // nothing left in the group
      // Not awaited: a call may return before the stragglers are gone, the SIGKILL still comes.
      setTimeout(() => {
        if (groupAlive(pid)) signalGroup(pid, "SIGKILL");
      }, grace).unref();
    };
    const timeoutTimer = setTimeout(() => {
      timedOut = true;
      stopGroup();
    }, options.timeoutMs);
    const onAbort = () => {
      cancelled = true;
      stopGroup();
    };

    const cleanup = () => {
      clearTimeout(timeoutTimer);
      if (drainTimer) clearTimeout(drainTimer);
      options.signal?.removeEventListener("abort", onAbort);
    };
    const finish = () => {
      if (settled || exit === undefined) return;
      settled = true;
      cleanup();
      resolve({
        exitCode: exit.code,
        signal: exit.signal,
        timedOut,
        cancelled,
        stdout: stdout.text(),
        stderr: stderr.text(),
        truncated: stdout.truncated || stderr.truncated,
        pid: child.pid!,
        ms: Math.round(performance.now() - started),
      });
    };

    child.once("error", (error) => {
      // Spawning failed (the shell or the folder is missing, or not executable): no exit follows.
      if (exit !== undefined || settled) return;
      settled = true;
      cleanup();
      reject(
        new AlephError("ALEPH_E_TOOL", `could not start ${shell} in ${options.cwd}: ${errorMessage(error)}`, {
          fix: `check that ${shell} exists and that the folder is readable`,
          cause: error,
        }),
      );
    });
    child.once("exit", (code, signal) => {
      exit = { code, signal };
      clearTimeout(timeoutTimer);
      options.signal?.removeEventListener("abort", onAbort); // it ended on its own: a later abort cancels nothing
      stopGroup(); // what the command left running in its group
      drainTimer = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        finish();
      }, grace + DRAIN_MS);
    });
    child.once("close", finish);

    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener("abort", onAbort, { once: true });
  });
}
