/**
 * A typed handle on a service. Refs match by their string `id`, never by object identity,
 * so a plugin that bundles its own copy of the SDK still finds the host's services.
 */
export interface ServiceRef<T> {
  readonly id: string;
  /** Phantom field carrying the service's type; never set at run time. */
  readonly __type?: T;
}

/** Creates a service ref: `const greeterRef = createServiceRef<Greeter>("greeter")`. */
export function createServiceRef<T>(id: string): ServiceRef<T> {
  if (typeof id !== "string" || !/^[a-z0-9][a-z0-9.-]{0,63}$/.test(id)) {
    throw new TypeError(`service id "${String(id)}" must match ^[a-z0-9][a-z0-9.-]{0,63}$`);
  }
  return Object.freeze({ id });
}

/** The id of a ref or of a plain string id. */
export function serviceIdOf(ref: ServiceRef<unknown> | string): string {
  return typeof ref === "string" ? ref : ref.id;
}
