import { createHash } from "node:crypto";

/*
 * MCP tool names are free-form (camelCase, hyphens, dots, up to 128 characters); the tools registry
 * wants ^[a-z][a-z0-9_]{0,63}$, unique. A server's tool is offered as `<server>__<snake_case>`:
 * getTinyImage → everything__get_tiny_image, get-sum → everything__get_sum. The mapping depends only
 * on the server's name and the set of its tool names, so it is the same on every start (cached tool
 * lists and sessions that mention a tool stay valid). The original name is kept for the call.
 */

export const TOOL_NAME_MAX = 64;
const HASH_LENGTH = 8;

/** `getTinyImage` → `get_tiny_image`, `HTTPRequest` → `http_request`, `a-b.c` → `a_b_c`; "" → "tool". */
export function snakeCase(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2") // getTiny → get_Tiny
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2"); // HTTPRequest → HTTP_Request
  const snake = words
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
  return snake || "tool";
}

const shortHash = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, HASH_LENGTH);

/** `base` cut to fit 64 characters with `_<hash of original>` at the end (always, when `mark`). */
function withHash(base: string, original: string): string {
  const suffix = `_${shortHash(original)}`;
  return `${base.slice(0, TOOL_NAME_MAX - suffix.length).replace(/_+$/, "")}${suffix}`;
}

/**
 * The registry name of each of a server's tools (original → name). Collisions (`get-sum` and
 * `getSum` both give `get_sum`) are settled without looking at the order the server lists them in:
 * a tool whose name is already the snake_case form keeps it, every other member of the collision
 * gets a short hash of its original name; a name too long for 64 characters is cut and hashed too.
 */
export function mapToolNames(server: string, originals: readonly string[]): Map<string, string> {
  const unique = [...new Set(originals)].sort();
  const base = new Map(unique.map((original) => [original, `${server}__${snakeCase(original)}`]));
  const first = new Map(unique.map((original) => [original, base.get(original)!.length <= TOOL_NAME_MAX ? base.get(original)! : withHash(base.get(original)!, original)]));

  const claimants = new Map<string, string[]>();
  for (const [original, name] of first) claimants.set(name, [...(claimants.get(name) ?? []), original]);

  const names = new Map<string, string>();
  for (const [name, group] of claimants) {
    if (group.length === 1) {
      names.set(group[0]!, name);
      continue;
    }
    for (const original of group) {
      const canonical = snakeCase(original) === original && base.get(original) === name;
      names.set(original, canonical ? name : withHash(base.get(original)!, original));
    }
  }

  // A hashed name could still meet another (astronomically unlikely): salt it until it is free.
  const taken = new Set<string>();
  for (const original of unique) {
    let name = names.get(original)!;
    for (let salt = 1; taken.has(name); salt++) name = withHash(base.get(original)!, `${original}#${salt}`);
    taken.add(name);
    names.set(original, name);
  }
  return names;
}
