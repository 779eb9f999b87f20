import { AlephError, type PluginInfo } from "@aleph/plugin-sdk/core";
import type { Kernel } from "@aleph/kernel";

/** Why a service has no bound provider: the failure of the plugin that should provide it, when one failed. */
export function serviceDownError(service: string, plugins: PluginInfo[]): AlephError {
  // A provider that failed (a bad config section, a broken build) is the usual cause: say so.
  const failed = plugins.find((p) => p.provides.includes(service) && p.error && p.status !== "overridden" && !p.runningInstead);
  if (failed?.error) {
    return new AlephError("ALEPH_E_DEPENDENCY", `the "${service}" service is down: plugin "${failed.id}" failed with ${failed.error.code}: ${failed.error.message}`, {
      fix: failed.error.fix ?? `fix it, then check \`aleph plugins inspect ${failed.id}\``,
      ...(failed.error.file ? { file: failed.error.file } : {}),
      ...(failed.error.line ? { line: failed.error.line } : {}),
    });
  }
  return new AlephError("ALEPH_E_DEPENDENCY", `no active plugin provides the "${service}" service`, { fix: "check `aleph plugins list`" });
}

/** The function `method` of the service bound in `kernel`; only the service's own functions are reachable. */
function methodOf(kernel: Kernel, service: string, method: string): (...args: unknown[]) => unknown {
  const impl = kernel.host.registry.bound(service)?.implementation as Record<string, unknown> | undefined;
  if (!impl) throw serviceDownError(service, kernel.status().plugins);
  const fn = impl[method];
  if (typeof fn !== "function" || method in Object.prototype) throw new AlephError("ALEPH_E_RPC", `service "${service}" has no method "${method}"`);
  return (fn as (...a: unknown[]) => unknown).bind(impl);
}

/** Calls a method of a service bound in `kernel` (the control server and in-process handles use it). */
export async function invokeService(kernel: Kernel, service: string, method: string, args: unknown[]): Promise<unknown> {
  return methodOf(kernel, service, method)(...args);
}

/** Calls a method that returns an async iterable and hands the iterable on. */
export async function invokeServiceStream(kernel: Kernel, service: string, method: string, args: unknown[]): Promise<AsyncIterable<unknown>> {
  const result = await methodOf(kernel, service, method)(...args);
  if (typeof result !== "object" || result === null || typeof (result as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] !== "function") {
    throw new AlephError("ALEPH_E_RPC", `${service}.${method} does not stream (it returned no async iterable); call it instead`);
  }
  return result as AsyncIterable<unknown>;
}
