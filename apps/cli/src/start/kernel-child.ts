#!/usr/bin/env node
/*
 * The kernel child of `aleph start`'s supervisor (start/supervisor.ts spawns this file; nobody
 * runs it by hand). Arguments: the start options the supervisor accepted (--events json,
 * --no-watch). It exits EXIT_START_FAILED when the kernel cannot start (the supervisor then stops
 * instead of restarting it).
 *
 * A SIGTERM/SIGINT that arrives while the kernel's code is still loading is kept and acted on as
 * soon as the kernel can stop in order: without these first handlers it would kill the process.
 */
let earlySignal: NodeJS.Signals | undefined;
const keepSignal = (signal: NodeJS.Signals) => (earlySignal ??= signal);
process.on("SIGTERM", keepSignal);
process.on("SIGINT", keepSignal);

const err = (text: string) => void process.stderr.write(text);

async function main(): Promise<number> {
  const [{ EXIT_START_FAILED, FRESH_WORKSPACE_ENV, resolvePaths, SUPERVISOR_INFO_ENV, SUPERVISOR_LOCK_ENV, SupervisedChild }, { reportFailure }, { serveKernel }] = await Promise.all([
    import("@aleph/kernel"),
    import("../command.js"),
    import("./serve-kernel.js"),
  ]);
  const lockNonce = process.env[SUPERVISOR_LOCK_ENV];
  const info = JSON.parse(process.env[SUPERVISOR_INFO_ENV] ?? "null") as { pid: number; restarts: number; last?: never; stallTimeoutMs: number } | null;
  if (!lockNonce || !info || !process.send) {
    err("aleph: the kernel child is started by `aleph start`, not by hand\n");
    return 2;
  }
  const env = { ...process.env };
  for (const name of [SUPERVISOR_LOCK_ENV, SUPERVISOR_INFO_ENV, FRESH_WORKSPACE_ENV]) delete env[name]; // not the plugins' business
  const cwd = process.cwd();
  const paths = resolvePaths({ env, cwd });
  const child = new SupervisedChild(paths.runDir, { stallTimeoutMs: info.stallTimeoutMs });
  const argv = process.argv.slice(2);
  try {
    return await serveKernel({
      env,
      cwd,
      events: argv.includes("--events"),
      watch: !argv.includes("--no-watch"),
      err,
      supervised: { child, lockNonce, info: { pid: info.pid, restarts: info.restarts, ...(info.last ? { last: info.last } : {}) }, freshWorkspace: process.env[FRESH_WORKSPACE_ENV] === "1" },
      earlySignal: () => {
        process.off("SIGTERM", keepSignal);
        process.off("SIGINT", keepSignal);
        return earlySignal;
      },
    });
  } catch (error) {
    child.orderly();
    reportFailure("start", error, err);
    return EXIT_START_FAILED;
  }
}

void main().then((code) => {
  process.exitCode = code;
});
