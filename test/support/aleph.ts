/*
 * End-to-end harness: spawns the real `aleph` CLI (apps/cli/dist/aleph.js) on an isolated
 * workspace — temp state root, temp HOME, temp system plugin dir, temp working directory — and
 * reads its `--events json` stream line by line.
 *
 * Every child process started here is tracked and killed by `cleanupAll()`, which the setup file
 * (support/setup.ts) runs after each test, together with removing the temp directories.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

/** The built CLI entry. */
export const CLI = resolve(here, "../../apps/cli/dist/aleph.js");

/** Plugins the CLI ships (the bundled set): always present, so tests about their own plugins leave them out. */
export const BUNDLED_IDS: readonly string[] = ["tools", "workspace", "sessions", "chat", "providers", "agent", "memory", "skills", "fs-tools", "shell", "web-fetch", "mcp", "channels", "gateway", "telegram", "discord", "cron"];
export const notBundled = (id: string) => !BUNDLED_IDS.includes(id);

if (!existsSync(CLI)) {
  throw new Error(`${CLI} does not exist: build first (cd /work/main && npx -y pnpm@10.24.0 build)`);
}

// ---------------------------------------------------------------------------------------------
// Workspaces

export interface Workspace {
  /** The temp directory holding everything below. */
  base: string;
  /** ALEPH_STATE_DIR. */
  root: string;
  /** HOME. */
  home: string;
  /** ALEPH_SYSTEM_PLUGINS_DIR. */
  systemDir: string;
  /** The CLI's working directory. */
  cwd: string;
  /** `<cwd>/plugins`: the project search path. */
  projectDir: string;
  /** `<root>/plugins`: the user search path. */
  userDir: string;
  /** A directory outside every search path, for staging plugins before they are copied in. */
  staging: string;
  configFile: string;
  lockFile: string;
  env: NodeJS.ProcessEnv;
  /** The search path directory of a source. */
  dirOf(source: "user" | "system" | "project"): string;
  /** Writes `<root>/config.toml`. */
  writeConfig(text: string): void;
}

export interface WorkspaceOptions {
  /** Initial `<root>/config.toml`. */
  config?: string;
  /** Create the system dir and `<cwd>/plugins` (default true). */
  createSearchPaths?: boolean;
}

const workspaces = new Set<string>();

/** An isolated workspace; removed after the test. */
export function createWorkspace(options: WorkspaceOptions = {}): Workspace {
  const base = mkdtempSync(join(tmpdir(), "aleph-e2e-"));
  workspaces.add(base);
  const root = join(base, "root");
  const home = join(base, "home");
  const systemDir = join(base, "system-plugins");
  const cwd = join(base, "project");
  const staging = join(base, "staging");
  for (const dir of [home, cwd, staging]) mkdirSync(dir, { recursive: true });
  // The root as aleph creates it: private (0700), like everything under it.
  for (const dir of [root, join(root, "plugins")]) mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (options.createSearchPaths !== false) {
    mkdirSync(systemDir, { recursive: true });
    mkdirSync(join(cwd, "plugins"), { recursive: true });
  }
  // A clean environment: nothing ALEPH_* or XDG_* from the outer shell, no inherited loaders.
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith("ALEPH_") || key.startsWith("XDG_") || key === "NODE_OPTIONS" || key.startsWith("VITEST") || key === "FORCE_COLOR") continue;
    env[key] = value;
  }
  Object.assign(env, { HOME: home, ALEPH_STATE_DIR: root, ALEPH_SYSTEM_PLUGINS_DIR: systemDir, NO_COLOR: "1" });
  const ws: Workspace = {
    base,
    root,
    home,
    systemDir,
    cwd,
    projectDir: join(cwd, "plugins"),
    userDir: join(root, "plugins"),
    staging,
    configFile: join(root, "config.toml"),
    lockFile: join(root, "run", "kernel.lock"),
    env,
    dirOf(source) {
      return source === "user" ? ws.userDir : source === "system" ? ws.systemDir : ws.projectDir;
    },
    writeConfig(text) {
      writeFileSync(ws.configFile, text);
    },
  };
  if (options.config !== undefined) ws.writeConfig(options.config);
  return ws;
}

// ---------------------------------------------------------------------------------------------
// Processes

const children = new Set<ChildProcess>();

function track(child: ChildProcess): void {
  children.add(child);
  child.once("exit", () => children.delete(child));
}

/** Kills every child still running and removes every temp workspace. */
/** The pid of the kernel child `aleph start`'s supervisor runs on a root (run/kernel.json), if one is announced. */
export function kernelChildPid(root: string): number | undefined {
  try {
    const info = JSON.parse(readFileSync(join(root, "run", "kernel.json"), "utf8")) as { pid?: number };
    return typeof info.pid === "number" ? info.pid : undefined;
  } catch {
    return undefined;
  }
}

function killQuietly(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, signal);
  } catch {
    // gone already
  }
}

export async function cleanupAll(): Promise<void> {
  // Kernel children run in their own process group: a supervisor killed below would leave them to stop by themselves.
  for (const base of workspaces) killQuietly(kernelChildPid(join(base, "root")), "SIGKILL");
  const running = [...children];
  await Promise.all(
    running.map(
      (child) =>
        new Promise<void>((done) => {
          if (child.exitCode !== null || child.signalCode !== null) return done();
          const timer = setTimeout(() => {
            child.kill("SIGKILL");
          }, 3000);
          child.once("exit", () => {
            clearTimeout(timer);
            done();
          });
          child.kill("SIGKILL");
        }),
    ),
  );
  if (!process.env.ALEPH_E2E_KEEP) {
    for (const base of workspaces) rmSync(base, { recursive: true, force: true });
  }
  workspaces.clear();
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs one CLI command to completion. Its stdin is empty (/dev/null), or `input` piped in and
 * closed when given.
 */
export function runCli(ws: Workspace, args: string[], options: { timeoutMs?: number; env?: NodeJS.ProcessEnv; cwd?: string; input?: string } = {}): Promise<CliResult> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  return new Promise((resolvePromise, reject) => {
    const stdin = options.input === undefined ? "ignore" : "pipe";
    const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd ?? ws.cwd, env: { ...ws.env, ...options.env }, stdio: [stdin, "pipe", "pipe"] });
    track(child);
    if (options.input !== undefined) {
      // A command that exits without reading all of its input must not fail the test with EPIPE.
      child.stdin!.on("error", () => undefined);
      child.stdin!.end(options.input);
    }
    let stdout = "";
    let stderr = "";
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`aleph ${args.join(" ")} did not exit within ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
}

/** A CLI command left running with its stdin open: write to it, watch its output, await its end. */
export interface RunningCli {
  child: ChildProcess;
  readonly stdout: string;
  readonly stderr: string;
  /** Resolves when stderr (or stdout) matches `pattern`; rejects after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  done: Promise<CliResult>;
}

/** Starts one CLI command with a stdin pipe kept open (killed by `cleanupAll()` if it outlives the test). */
export function spawnCli(ws: Workspace, args: string[], options: { env?: NodeJS.ProcessEnv } = {}): RunningCli {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ws.cwd, env: { ...ws.env, ...options.env }, stdio: ["pipe", "pipe", "pipe"] });
  track(child);
  child.stdin!.on("error", () => undefined);
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const done = new Promise<CliResult>((resolvePromise) => child.on("close", (code, signal) => resolvePromise({ code, signal, stdout, stderr })));
  return {
    child,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    waitFor: (pattern, timeoutMs = 15_000) =>
      eventually(() => {
        if (!pattern.test(stderr) && !pattern.test(stdout)) throw new Error(`aleph ${args.join(" ")}: ${pattern} not seen yet\nstdout:\n${stdout}\nstderr:\n${stderr}`);
      }, timeoutMs, 50),
    done,
  };
}

/** Runs a `--json` command and parses its stdout (fails with the whole output if it is not JSON). */
export async function runCliJson<T = any>(ws: Workspace, args: string[], expectedCode = 0): Promise<T> {
  const result = await runCli(ws, args);
  if (result.code !== expectedCode) {
    throw new Error(`aleph ${args.join(" ")} exited ${result.code} (expected ${expectedCode})\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
  }
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`aleph ${args.join(" ")} printed something that is not JSON:\n${result.stdout}\nstderr:\n${result.stderr}`);
  }
}

// ---------------------------------------------------------------------------------------------
// The event stream of `aleph start --events json`

export interface AlephEvent {
  /** Position in the stream (0-based). */
  index: number;
  event: string;
  payload: any;
  /** performance.now() in the test process when the line arrived. */
  at: number;
}

type Predicate = (payload: any, event: AlephEvent) => boolean;

interface Waiter {
  name: string;
  predicate: Predicate;
  since: number;
  resolve: (event: AlephEvent) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/** A plugin as `aleph plugins list --json` reports it: the SDK's contract plus whether it runs. */
export type PluginInfo = import("@aleph/plugin-sdk").PluginInfo & { running: boolean };

function summarize(payload: unknown): string {
  const text = JSON.stringify(payload);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/** A running `aleph start --events json`. */
export class KernelProcess {
  readonly child: ChildProcess;
  readonly events: AlephEvent[] = [];
  /** stdout lines that were not a JSON event (the contract says there are none). */
  readonly strayLines: string[] = [];
  stderr = "";
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  #waiters = new Set<Waiter>();
  #buffer = "";

  constructor(
    readonly ws: Workspace,
    readonly args: string[],
    options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
  ) {
    this.child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd ?? ws.cwd, env: { ...ws.env, ...options.env }, stdio: ["ignore", "pipe", "pipe"] });
    track(this.child);
    this.child.stdout!.setEncoding("utf8").on("data", (chunk: string) => this.#onStdout(chunk));
    this.child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((resolvePromise) => {
      this.child.on("close", (code, signal) => {
        this.exitInfo = { code, signal };
        for (const waiter of this.#waiters) {
          clearTimeout(waiter.timer);
          waiter.reject(new Error(`the kernel exited (code ${code}, signal ${signal}) while waiting for ${waiter.name}\n${this.describe(waiter.since)}`));
        }
        this.#waiters.clear();
        resolvePromise({ code, signal });
      });
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  #onStdout(chunk: string): void {
    this.#buffer += chunk;
    let nl: number;
    while ((nl = this.#buffer.indexOf("\n")) >= 0) {
      const line = this.#buffer.slice(0, nl);
      this.#buffer = this.#buffer.slice(nl + 1);
      if (line.trim() === "") continue;
      let parsed: { event?: unknown; payload?: unknown };
      try {
        parsed = JSON.parse(line) as typeof parsed;
      } catch {
        this.strayLines.push(line);
        continue;
      }
      if (typeof parsed.event !== "string") {
        this.strayLines.push(line);
        continue;
      }
      const event: AlephEvent = { index: this.events.length, event: parsed.event, payload: parsed.payload, at: performance.now() };
      this.events.push(event);
      for (const waiter of [...this.#waiters]) {
        if (event.index >= waiter.since && event.event === waiter.name && safeMatch(waiter.predicate, event)) {
          clearTimeout(waiter.timer);
          this.#waiters.delete(waiter);
          waiter.resolve(event);
        }
      }
    }
  }

  /** The position a later wait can start from (`since`). */
  mark(): number {
    return this.events.length;
  }

  /** Events from `since` on, optionally of one name and matching a predicate. */
  eventsSince(since: number, name?: string, predicate: Predicate = () => true): AlephEvent[] {
    return this.events.slice(since).filter((e) => (name === undefined || e.event === name) && safeMatch(predicate, e));
  }

  /** The stream so far (from `since`), one event per line, and the tail of stderr: for failure messages. */
  describe(since = 0): string {
    const lines = this.events.slice(since).map((e) => `  #${e.index} ${e.event} ${summarize(e.payload)}`);
    const stderrTail = this.stderr.split("\n").slice(-25).join("\n");
    return [
      `events seen${since > 0 ? ` since #${since}` : ""} (${lines.length}):`,
      ...(lines.length ? lines : ["  (none)"]),
      ...(this.strayLines.length ? ["stray stdout lines:", ...this.strayLines.map((l) => `  ${l}`)] : []),
      "stderr (tail):",
      stderrTail,
    ].join("\n");
  }

  /**
   * The first event named `name` at or after `since` that matches `predicate`; waits up to
   * `timeoutMs` for it, then fails listing every event seen.
   */
  waitForEvent(name: string, predicate: Predicate = () => true, timeoutMs = 10_000, since = 0): Promise<AlephEvent> {
    const found = this.events.find((e) => e.index >= since && e.event === name && safeMatch(predicate, e));
    if (found) return Promise.resolve(found);
    if (this.exitInfo) {
      return Promise.reject(new Error(`the kernel has exited (code ${this.exitInfo.code}) and never emitted ${name} matching ${predicate.toString()}\n${this.describe(since)}`));
    }
    return new Promise((resolvePromise, reject) => {
      const error = new Error(); // keeps the caller's stack
      const waiter: Waiter = {
        name,
        predicate,
        since,
        resolve: resolvePromise,
        reject,
        timer: setTimeout(() => {
          this.#waiters.delete(waiter);
          error.message = `timed out after ${timeoutMs} ms waiting for event "${name}" matching ${predicate.toString()}\n${this.describe(since)}`;
          reject(error);
        }, timeoutMs),
      };
      this.#waiters.add(waiter);
    });
  }

  /** An event that must already have been seen (at or after `since`); throws listing the stream if not. */
  seen(name: string, predicate: Predicate = () => true, since = 0): AlephEvent {
    const found = this.events.find((e) => e.index >= since && e.event === name && safeMatch(predicate, e));
    if (!found) throw new Error(`expected event "${name}" matching ${predicate.toString()} to have been emitted already\n${this.describe(since)}`);
    return found;
  }

  /** Waits for kernel.ready. */
  ready(timeoutMs = 15_000): Promise<AlephEvent> {
    return this.waitForEvent("kernel.ready", () => true, timeoutMs);
  }

  /** The kernel child's pid (the supervisor runs the kernel in a child process; `pid` is the supervisor's). */
  kernelPid(): number | undefined {
    return kernelChildPid(this.ws.root);
  }

  /**
   * Sends a signal and waits for the process to exit. SIGKILL kills the kernel child first, as a
   * crash of the whole thing would (the supervisor alone killed lets its kernel stop in order).
   */
  async stop(signal: NodeJS.Signals = "SIGTERM", timeoutMs = 10_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (!this.exitInfo && signal === "SIGKILL") killQuietly(this.kernelPid(), "SIGKILL");
    if (!this.exitInfo) this.child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the kernel did not exit within ${timeoutMs} ms of ${signal}\n${this.describe()}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Resident set size of the CLI process, in KiB (from /proc/<pid>/status VmRSS). */
  rssKiB(): number {
    const pid = this.kernelPid() ?? this.pid; // the kernel child's, not its supervisor's
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`);
    return Number(match[1]);
  }

  /** `plugins list --json` against this kernel. */
  pluginsList(): Promise<PluginInfo[]> {
    return runCliJson<PluginInfo[]>(this.ws, ["plugins", "list", "--json"]);
  }

  /** `status --json` against this kernel. */
  status(): Promise<any> {
    return runCliJson(this.ws, ["status", "--json"]);
  }
}

function safeMatch(predicate: Predicate, event: AlephEvent): boolean {
  try {
    return Boolean(predicate(event.payload, event));
  } catch {
    return false;
  }
}

/** Starts `aleph start --events json` (plus `extraArgs`) on a workspace. */
export function startKernel(ws: Workspace, extraArgs: string[] = [], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): KernelProcess {
  return new KernelProcess(ws, ["start", "--events", "json", ...extraArgs], options);
}

/** Starts a kernel and waits for kernel.ready. */
export async function startReadyKernel(ws: Workspace, extraArgs: string[] = []): Promise<KernelProcess> {
  const kernel = startKernel(ws, extraArgs);
  await kernel.ready();
  return kernel;
}

// ---------------------------------------------------------------------------------------------
// Small utilities

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Retries `check` until it stops throwing or `timeoutMs` passes (then rethrows its last error). */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 10_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(intervalMs);
    }
  }
}

/** The entries of a plugin list with one id. */
export function entriesOf(list: PluginInfo[], id: string): PluginInfo[] {
  return list.filter((p) => p.id === id);
}

/** The one entry of an id that owns it (not overridden, not a copy that failed while another runs instead). */
export function entryOf(list: PluginInfo[], id: string): PluginInfo {
  const found = list.filter((p) => p.id === id && p.status !== "overridden" && !p.runningInstead);
  if (found.length !== 1) throw new Error(`expected one non-overridden entry for "${id}", found ${found.length}: ${JSON.stringify(list, null, 2)}`);
  return found[0]!;
}
