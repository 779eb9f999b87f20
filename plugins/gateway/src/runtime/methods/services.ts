import { AlephError, serviceIdOf, type PluginContext, type ServiceRef } from "@aleph/plugin-sdk";

/**
 * The service a method needs, looked up at call time (a plugin may come and go while a client
 * stays connected): its provider, or ALEPH_E_UNAVAILABLE saying what is missing.
 */
export function need<T>(ctx: PluginContext<unknown>, ref: ServiceRef<T>, method: string): T {
  const service = ctx.services.getOptional(ref);
  if (service !== undefined) return service;
  const id = serviceIdOf(ref);
  throw new AlephError("ALEPH_E_UNAVAILABLE", `${method} needs the "${id}" service, and no running plugin provides it`, {
    fix: `enable the plugin that provides "${id}" (\`aleph plugins list\` shows whether it failed, and why)`,
  });
}
