import { describe, expect, it } from "vitest";
import { locateTomlKey, splitKey } from "./toml-locate.js";

const source = `# comment
title = "x"

[gateway]
host = "127.0.0.1"
port = 18790

[interfaces.telegram]
token = "t"
"allow from" = ["a"]

[[agents]]
id = "main"

[[agents]]
id = "second"
tools.web = true
`;

describe("locateTomlKey", () => {
  it("finds a key inside a table", () => {
    expect(locateTomlKey(source, ["gateway", "port"])).toBe(6);
  });

  it("finds a top-level key and a table header", () => {
    expect(locateTomlKey(source, ["title"])).toBe(2);
    expect(locateTomlKey(source, ["gateway"])).toBe(4);
  });

  it("finds keys of dotted and quoted tables", () => {
    expect(locateTomlKey(source, ["interfaces", "telegram", "token"])).toBe(9);
    expect(locateTomlKey(source, ["interfaces", "telegram", "allow from"])).toBe(10);
  });

  it("counts the elements of an array of tables", () => {
    expect(locateTomlKey(source, ["agents", 0, "id"])).toBe(13);
    expect(locateTomlKey(source, ["agents", 1, "id"])).toBe(16);
    expect(locateTomlKey(source, ["agents", 1, "tools", "web"])).toBe(17);
  });

  it("falls back to the nearest enclosing line for a key that is not written", () => {
    expect(locateTomlKey(source, ["gateway", "require_auth"])).toBe(4);
    expect(locateTomlKey(source, ["missing", "key"])).toBeUndefined();
  });
});

describe("splitKey", () => {
  it("splits dotted keys and keeps dots inside quotes", () => {
    expect(splitKey(`a."b.c".d`)).toEqual(["a", "b.c", "d"]);
    expect(splitKey(` x . y `)).toEqual(["x", "y"]);
  });
});
