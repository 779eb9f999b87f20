// Shared helpers for the benchmarks: temp workspaces, spawning `aleph start`, statistics and the
// PASS/FAIL report that run.mjs collects.
import { spawn } from "node:child_process";
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { performance } from "node:perf_hooks";

const require = createRequire(import.meta.url);

/** The `aleph` launcher as installed for this package (bin of @aleph/cli). */
export const CLI = (() => {
  const pkgFile = require.resolve("@aleph/cli/package.json");
  const pkg = require(pkgFile);
  const bin = typeof pkg.bin === "string" ? pkg.bin : pkg.bin.aleph;
  return resolve(dirname(pkgFile), bin);
})();

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- temp dirs

const tempDirs = [];

/** A fresh temp dir, removed when the process exits. */
export function tempDir(prefix = "aleph-bench-") {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

export function cleanupTemp() {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}
process.on("exit", cleanupTemp);

/**
 * An isolated place to run a kernel: an empty state root (unless `initRoot` is false it exists),
 * an empty HOME, an empty system plugins dir and an empty cwd (so `./plugins` is empty).
 */
export function makeWorkspace({ createRoot = true } = {}) {
  const base = tempDir();
  const ws = {
    base,
    root: join(base, "root"),
    home: join(base, "home"),
    sys: join(base, "system-plugins"),
    cwd: join(base, "cwd"),
  };
  for (const dir of [ws.home, ws.sys, ws.cwd]) mkdirSync(dir, { recursive: true });
  if (createRoot) mkdirSync(ws.root, { recursive: true });
  return ws;
}

/** Writes a trivial Node plugin `<root>/plugins/<id>/`. */
export function writePlugin(root, id, { body, extraFiles = {} } = {}) {
  const dir = join(root, "plugins", id);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "aleph_plugin.toml"), `[plugin]\nid = "${id}"\nversion = "1.0.0"\nentry = "index.js"\n`);
  writeFileSync(join(dir, "index.js"), body ?? `export default { setup(ctx) { ctx.events.on("x", () => {}); } };\n`);
  for (const [name, text] of Object.entries(extraFiles)) writeFileSync(join(dir, name), text);
  return dir;
}

/** The environment for a child kernel: inherited, minus any Aleph/XDG overrides, plus the workspace. */
export function kernelEnv(ws, extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith("ALEPH_") || k === "XDG_CONFIG_HOME" || k === "NODE_OPTIONS") continue;
    env[k] = v;
  }
  return { ...env, ALEPH_STATE_DIR: ws.root, HOME: ws.home, ALEPH_SYSTEM_PLUGINS_DIR: ws.sys, NO_COLOR: "1", ...extra };
}

// ---------------------------------------------------------------- child processes

/** Spawns `node -e 0` and resolves with spawn → exit in ms. */
const liveChildren = new Set();
process.on("exit", () => {
  for (const child of liveChildren) child.kill("SIGKILL"); // only after a crash: benches stop their kernels
});

export function timeNodeNoop() {
  return new Promise((resolvePromise, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ["-e", "0"], { stdio: "ignore" });
    child.on("error", reject);
    child.on("exit", (code) => {
      const ms = performance.now() - t0;
      if (code === 0) resolvePromise(ms);
      else reject(new Error(`node -e 0 exited ${code}`));
    });
  });
}

/**
 * Spawns `aleph start --events json` on a workspace. Returns a handle whose `events` fill as the
 * JSON lines arrive (each stamped with the parent's performance.now() on arrival).
 */
export function startAleph(ws, { watch = false, env = {}, extraArgs = [] } = {}) {
  const args = [CLI, "start", "--events", "json", ...extraArgs];
  if (!watch) args.push("--no-watch");
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { cwd: ws.cwd, env: kernelEnv(ws, env), stdio: ["ignore", "pipe", "pipe"] });
  liveChildren.add(child);
  const events = [];
  const waiters = new Set();
  let stderrTail = "";
  let exited = null;
  let buffered = "";

  const failAll = (error) => {
    for (const w of waiters) w.reject(error);
    waiters.clear();
  };
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk) => {
    const t = performance.now();
    buffered += chunk;
    let nl;
    while ((nl = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (!line.trim()) continue;
      let parsed;
      try {
        parsed = JSON.parse(line);
      } catch {
        continue; // not an event line
      }
      const ev = { event: parsed.event, payload: parsed.payload, t };
      events.push(ev);
      for (const w of [...waiters]) {
        if (w.pred(ev)) {
          waiters.delete(w);
          clearTimeout(w.timer);
          w.resolve(ev);
        }
      }
    }
  });
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk) => {
    stderrTail = (stderrTail + chunk).slice(-4000);
  });
  const exitPromise = new Promise((r) => {
    child.on("exit", (code, signal) => {
      liveChildren.delete(child);
      exited = { code, signal };
      failAll(new Error(`aleph exited (code ${code}, signal ${signal}) before the awaited event; stderr:\n${stderrTail}`));
      r(exited);
    });
  });

  return {
    child,
    t0,
    events,
    get stderr() {
      return stderrTail;
    },
    /** Resolves with the first event from now on (or from `events[from]`) that matches. */
    waitFor(pred, { timeoutMs = 30_000, from } = {}) {
      if (from !== undefined) {
        for (let i = from; i < events.length; i++) if (pred(events[i])) return Promise.resolve(events[i]);
      }
      if (exited) return Promise.reject(new Error(`aleph already exited (code ${exited.code}); stderr:\n${stderrTail}`));
      return new Promise((res, rej) => {
        const w = { pred, resolve: res, reject: rej };
        w.timer = setTimeout(() => {
          waiters.delete(w);
          rej(new Error(`timed out after ${timeoutMs} ms waiting for an event; stderr:\n${stderrTail}`));
        }, timeoutMs);
        waiters.add(w);
      });
    },
    ready(opts) {
      return this.waitFor((e) => e.event === "kernel.ready", { from: 0, ...opts });
    },
    /** SIGTERM, then wait for exit (SIGKILL after `graceMs`). */
    async stop(graceMs = 10_000) {
      if (!exited) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
        await exitPromise;
        clearTimeout(timer);
      }
      return exited;
    },
  };
}

/** Spawn → kernel.ready: wall ms and the kernel's own `ms` field. Stops the kernel before resolving. */
export async function timeAlephReady(ws, opts) {
  const k = startAleph(ws, opts);
  try {
    const ready = await k.ready();
    return { wall: ready.t - k.t0, ms: ready.payload.ms, plugins: ready.payload.plugins };
  } finally {
    await k.stop();
  }
}

// ---------------------------------------------------------------- statistics

export function median(xs) {
  return percentile(xs, 50);
}

/** Linear-interpolated percentile (p in 0..100). */
export function percentile(xs, p) {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const idx = (p / 100) * (s.length - 1);
  const lo = Math.floor(idx);
  const hi = Math.ceil(idx);
  return s[lo] + (s[hi] - s[lo]) * (idx - lo);
}

export const fmtMs = (ms) => (ms >= 100 ? `${Math.round(ms)} ms` : `${ms.toFixed(1)} ms`);
export const fmtX = (r) => `${r.toFixed(2)}×`;
export const fmtOps = (ops) => (ops >= 1e6 ? `${(ops / 1e6).toFixed(2)} M/s` : `${(ops / 1e3).toFixed(0)} k/s`);
export const fmtBytes = (b) => {
  const sign = b < 0 ? "-" : "";
  const a = Math.abs(b);
  if (a >= 1024 * 1024) return `${sign}${(a / 1024 / 1024).toFixed(2)} MiB`;
  if (a >= 1024) return `${sign}${(a / 1024).toFixed(1)} KiB`;
  return `${sign}${Math.round(a)} B`;
};

// ---------------------------------------------------------------- report

const results = [];

/**
 * Prints one result line. `pass`: true/false for a budget check, null for a figure that is
 * only reported. run.mjs reads them back from ALEPH_BENCH_REPORT for its summary.
 */
export function check(bench, line, pass = null) {
  const verdict = pass === null ? "INFO" : pass ? "PASS" : "FAIL";
  const text = `${line} ${verdict}`;
  console.log(text);
  const rec = { bench, line: text, verdict };
  results.push(rec);
  if (process.env.ALEPH_BENCH_REPORT) appendFileSync(process.env.ALEPH_BENCH_REPORT, JSON.stringify(rec) + "\n");
}

/** Plain progress / detail output (not part of the summary). */
export function note(text) {
  console.log(`  ${text}`);
}

/** Sets the exit code from the checks made so far. */
export function finish() {
  process.exitCode = results.some((r) => r.verdict === "FAIL") ? 1 : 0;
}

/** Runs a bench's main, turning a crash into exit code 2 with the message. */
export function main(fn) {
  fn().then(finish, (error) => {
    console.error(error?.stack ?? String(error));
    cleanupTemp();
    process.exit(2);
  });
}
