import { AlephError } from "@aleph/plugin-sdk";
import type { AlephPaths, Kernel } from "@aleph/kernel";
import { askKernel, runningKernel } from "./kernel-client.js";
import { withOneShotKernel } from "./one-shot-kernel.js";

/** Calls a method of a service bound in `kernel`; only the service's own functions are reachable. */
export async function invokeService(kernel: Kernel, service: string, method: string, args: unknown[]): Promise<unknown> {
  const impl = kernel.host.registry.bound(service)?.implementation as Record<string, unknown> | undefined;
  if (!impl) throw new AlephError("ALEPH_E_DEPENDENCY", `no active plugin provides the "${service}" service`, { fix: "check `aleph plugins list`" });
  const fn = impl[method];
  if (typeof fn !== "function" || method in Object.prototype) {
    throw new AlephError("ALEPH_E_RPC", `service "${service}" has no method "${method}"`);
  }
  return (fn as (...a: unknown[]) => unknown).apply(impl, args);
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
  if (runningKernel(paths)) {
    if (call.reloadConfig) await askKernel(paths, "config.reload");
    return (await askKernel(paths, "service.call", { service: call.service, method: call.method, args })) as T;
  }
  return withOneShotKernel(paths, env, cwd, async (kernel) => (await invokeService(kernel, call.service, call.method, args)) as T, oneShot);
}
