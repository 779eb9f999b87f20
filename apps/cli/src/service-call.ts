import { setTimeout as sleep } from "node:timers/promises";
import { AlephError, isAlephError } from "@aleph/plugin-sdk";
import type { AlephPaths, Kernel } from "@aleph/kernel";
import { MAX_CONTROL_LINE } from "./control/protocol.js";
import { askRunningKernel } from "./kernel-handle/ask.js";
import { runningKernel } from "./kernel-handle/running-kernel.js";
import { withOneShotKernel } from "./one-shot-kernel.js";

/** Calls a method of a service bound in `kernel`; only the service's own functions are reachable. */
export async function invokeService(kernel: Kernel, service: string, method: string, args: unknown[]): Promise<unknown> {
  const impl = kernel.host.registry.bound(service)?.implementation as Record<string, unknown> | undefined;
  if (!impl) {
    // Say why: a provider that failed (a bad config section, a broken build) is the usual cause.
    const failed = kernel.host.list().find((p) => p.provides.includes(service) && p.error);
    if (failed?.error) {
      throw new AlephError("ALEPH_E_DEPENDENCY", `the "${service}" service is down: plugin "${failed.id}" failed with ${failed.error.code}: ${failed.error.message}`, {
        fix: failed.error.fix ?? `fix it, then check \`aleph plugins inspect ${failed.id}\``,
        ...(failed.error.file ? { file: failed.error.file } : {}),
        ...(failed.error.line ? { line: failed.error.line } : {}),
      });
    }
    throw new AlephError("ALEPH_E_DEPENDENCY", `no active plugin provides the "${service}" service`, { fix: "check `aleph plugins list`" });
  }
  const fn = impl[method];
  if (typeof fn !== "function" || method in Object.prototype) {
    throw new AlephError("ALEPH_E_RPC", `service "${service}" has no method "${method}"`);
  }
  return (fn as (...a: unknown[]) => unknown).apply(impl, args);
}

/**
 * Calls a service method in the running kernel over its control socket. A request longer than the
 * socket's line limit is refused here, saying so, instead of by the kernel as "request line too long".
 */
async function askKernelService(paths: AlephPaths, service: string, method: string, args: unknown[]): Promise<unknown> {
  const params = { service, method, args };
  // The kernel measures the line as text; the client sends exactly this shape (see controlRequest).
  const length = JSON.stringify({ id: 1, method: "service.call", params }).length;
  if (length > MAX_CONTROL_LINE) {
    throw new AlephError("ALEPH_E_LIMIT", `the call to ${service}.${method} is ${length} characters of JSON, over the running kernel's control-socket limit of ${MAX_CONTROL_LINE}`, {
      fix: "send less; or stop the running kernel and run the command again (it then starts the plugins in this process, where the limit does not apply)",
    });
  }
  return askRunningKernel(paths, "service.call", params);
}

/** How long a command waits for the root's lock while another command's kernel holds it. */
const LOCK_WAIT_MS = 10_000;

/**
 * Runs `viaSocket` when a kernel runs on the root, else `inProcess` in a kernel started here. The
 * root's lock may be held for a moment by another command's kernel (`aleph sessions append` run
 * from several scripts at once) or by an `aleph start` that has not opened its socket yet: then
 * it looks again, for up to LOCK_WAIT_MS, rather than failing with ALEPH_E_LOCKED at once.
 */
async function inKernel<T>(
  paths: AlephPaths,
  env: NodeJS.ProcessEnv,
  cwd: string,
  viaSocket: () => Promise<T>,
  inProcess: (kernel: Kernel) => Promise<T>,
  oneShot: { logToFiles?: boolean },
): Promise<T> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (let delay = 20; ; delay = Math.min(delay * 2, 200)) {
    if (runningKernel(paths)) return viaSocket();
    let started = false;
    try {
      return await withOneShotKernel(
        paths,
        env,
        cwd,
        (kernel) => {
          started = true;
          return inProcess(kernel);
        },
        oneShot,
      );
    } catch (error) {
      // Only a kernel that could not start is retried: work that ran is never repeated.
      if (started || !isAlephError(error) || (error as AlephError).code !== "ALEPH_E_LOCKED" || Date.now() >= deadline) throw error;
    }
    await sleep(delay + Math.floor(Math.random() * delay));
  }
}

/**
 * Calls a service method: in the running kernel (over the control socket) when there is one,
 * else in a kernel started in this process for the call. `reloadConfig` first makes a running
 * kernel read config.toml (a command that just edited it wants the change applied now).
 */
export async function callService<T>(
  paths: AlephPaths,
  env: NodeJS.ProcessEnv,
  cwd: string,
  call: { service: string; method: string; args?: unknown[]; reloadConfig?: boolean },
  oneShot: { logToFiles?: boolean } = {},
): Promise<T> {
  const args = call.args ?? [];
  return inKernel(
    paths,
    env,
    cwd,
    async () => {
      if (call.reloadConfig) await askRunningKernel(paths, "config.reload");
      return (await askKernelService(paths, call.service, call.method, args)) as T;
    },
    async (kernel) => (await invokeService(kernel, call.service, call.method, args)) as T,
    oneShot,
  );
}

/** Calls methods of one service. Arguments travel as JSON: pass no `undefined` (it would arrive as null). */
export type ServiceCaller = <R>(method: string, ...args: unknown[]) => Promise<R>;

/**
 * Runs `work` with a caller of `service`'s methods: the running kernel's when there is one, else
 * one kernel started in this process for every call `work` makes (a command that needs several
 * calls starts the plugins once, not once per call).
 */
export async function withService<T>(
  paths: AlephPaths,
  env: NodeJS.ProcessEnv,
  cwd: string,
  service: string,
  work: (call: ServiceCaller) => Promise<T>,
  oneShot: { logToFiles?: boolean } = {},
): Promise<T> {
  return inKernel(
    paths,
    env,
    cwd,
    () => work(async <R>(method: string, ...args: unknown[]) => (await askKernelService(paths, service, method, args)) as R),
    (kernel) => work(async <R>(method: string, ...args: unknown[]) => (await invokeService(kernel, service, method, args)) as R),
    oneShot,
  );
}
