import { serviceIdOf, type ServiceCaller, type ServiceRef } from "@aleph/plugin-sdk/core";

/**
 * A typed caller of a service: every property is a method that calls `call(service, name, args)`.
 * Only method names are known to the compiler (ServiceCaller<T>); at run time the kernel checks
 * that the service has the method.
 */
export function serviceProxy<T>(ref: ServiceRef<T> | string, call: (service: string, method: string, args: unknown[]) => Promise<unknown>): ServiceCaller<T> {
  const service = serviceIdOf(ref);
  return new Proxy({} as ServiceCaller<T>, {
    get(_target, method) {
      // Not a thenable: `await kernel.service(ref)` must not call a "then" method.
      if (typeof method !== "string" || method === "then") return undefined;
      return (...args: unknown[]) => call(service, method, args);
    },
  });
}

/** Arguments and results cross a socket as JSON; in process they make the same trip, so a handler behaves the same. */
export function asJson<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}
