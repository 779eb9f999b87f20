import { AlephError } from "./errors.js";

/**
 * The options argument of a service method, as received. Calls can arrive over JSON (the control
 * socket, a WASM plugin), where an omitted argument becomes `null`: null and undefined both mean
 * "defaults". Anything else that is not a plain object is a usage error naming the method.
 */
export function optionsOf<T extends object>(value: T | null | undefined, method: string): Partial<T> {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new AlephError("ALEPH_E_USAGE", `${method}: options must be an object, got ${Array.isArray(value) ? "an array" : typeof value}`, {
      fix: "pass an options object, or nothing for the defaults",
    });
  }
  return value;
}
