import { describe, expect, it } from "vitest";
import { mapToolNames, snakeCase, TOOL_NAME_MAX } from "./tool-names.js";

const REGISTRY_NAME = /^[a-z][a-z0-9_]{0,63}$/;

describe("snakeCase", () => {
  it.each([
    ["getTinyImage", "get_tiny_image"],
    ["get-tiny-image", "get_tiny_image"],
    ["a.b-c", "a_b_c"],
    ["HTTPRequest", "http_request"],
    ["parseJSONBody2", "parse_json_body2"],
    ["already_snake", "already_snake"],
    ["--weird__", "weird"],
    ["Émoji 🎉 tool", "moji_tool"],
    ["", "tool"],
    ["🎉", "tool"],
  ])("%j → %j", (input, expected) => {
    expect(snakeCase(input)).toBe(expected);
  });
});

describe("mapToolNames", () => {
  it("prefixes the server and keeps every name within the registry's rule", () => {
    const names = mapToolNames("everything", ["echo", "getTinyImage", "get-sum", `very.long.${"x".repeat(120)}`]);
    expect(names.get("echo")).toBe("everything__echo");
    expect(names.get("getTinyImage")).toBe("everything__get_tiny_image");
    expect(names.get("get-sum")).toBe("everything__get_sum");
    for (const name of names.values()) expect(name).toMatch(REGISTRY_NAME);
    const long = names.get(`very.long.${"x".repeat(120)}`)!;
    expect(long).toHaveLength(TOOL_NAME_MAX);
    expect(long).toMatch(/^everything__very_long_x+_[0-9a-f]{8}$/);
  });

  it("settles a collision the same way whatever order the server lists the tools in: the snake_case original keeps the plain name", () => {
    const originals = ["getThing", "get-thing", "get_thing"];
    const forward = mapToolNames("s", originals);
    const backward = mapToolNames("s", [...originals].reverse());
    expect([...forward.entries()].sort()).toEqual([...backward.entries()].sort());
    expect(forward.get("get_thing")).toBe("s__get_thing");
    expect(forward.get("getThing")).toMatch(/^s__get_thing_[0-9a-f]{8}$/);
    expect(forward.get("get-thing")).toMatch(/^s__get_thing_[0-9a-f]{8}$/);
    expect(new Set(forward.values()).size).toBe(3);
  });

  it("hashes every member of a collision that has no snake_case original, and names stay unique", () => {
    const names = mapToolNames("s", ["a-b", "a.b", "A B"]);
    expect(new Set(names.values()).size).toBe(3);
    for (const name of names.values()) expect(name).toMatch(/^s__a_b_[0-9a-f]{8}$/);
  });

  it("gives the same names on every run (cached lists and sessions stay valid)", () => {
    expect([...mapToolNames("x", ["fooBar", "foo-bar"])]).toEqual([...mapToolNames("x", ["fooBar", "foo-bar"])]);
  });
});
