/*
 * Typed reads of a provider's JSON, which is `unknown` until looked at: a field of the wrong type
 * reads as absent, so a server that sends `"content": null` or a number where a string belongs
 * never reaches the agent as anything but "nothing here".
 */

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function objectAt(value: unknown, key: string): JsonObject | undefined {
  const field = isObject(value) ? value[key] : undefined;
  return isObject(field) ? field : undefined;
}

export function stringAt(value: unknown, key: string): string | undefined {
  const field = isObject(value) ? value[key] : undefined;
  return typeof field === "string" ? field : undefined;
}

export function numberAt(value: unknown, key: string): number | undefined {
  const field = isObject(value) ? value[key] : undefined;
  return typeof field === "number" && Number.isFinite(field) ? field : undefined;
}

export function arrayAt(value: unknown, key: string): unknown[] | undefined {
  const field = isObject(value) ? value[key] : undefined;
  return Array.isArray(field) ? field : undefined;
}

/** `JSON.parse` that says "not JSON" instead of throwing. */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/** The value at a dotted path with numeric indexes (`choices.0.message.content`), as custom protocols name fields. */
export function valueAtPath(value: unknown, path: string): unknown {
  let current = value;
  for (const part of path.split(".")) {
    if (Array.isArray(current) && /^\d+$/.test(part)) current = current[Number(part)];
    else if (isObject(current)) current = current[part];
    else return undefined;
  }
  return current;
}
