import { describe, expect, it } from "vitest";
import { mcpConfigSchema } from "./config.js";

const issues = (servers: unknown[]) => {
  const result = mcpConfigSchema.safeParse({ servers });
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
};

describe("the [mcp] section", () => {
  it("takes stdio and HTTP servers, with defaults", () => {
    const parsed = mcpConfigSchema.parse({
      servers: [
        { name: "everything", command: "npx", args: ["-y", "@modelcontextprotocol/server-everything"], env: { DEBUG: "1" } },
        { name: "remote_docs", url: "https://example.com/mcp", headers: { "X-Team": "a" }, bearer_token: "t" },
      ],
    });
    expect(parsed.servers[0]).toMatchObject({ enabled: true, timeout_seconds: 60, connect_timeout_seconds: 30 });
    expect(mcpConfigSchema.parse({})).toEqual({ servers: [] });
  });

  it.each([
    [[{ name: "Docs", command: "x" }], /^servers\.0\.name: lowercase letters/],
    [[{ name: "a__b", command: "x" }], /^servers\.0\.name:/],
    [[{ name: "a_", command: "x" }], /^servers\.0\.name:/],
    [[{ name: "x".repeat(33), command: "x" }], /^servers\.0\.name: at most 32/],
    [[{ name: "a" }], /^servers\.0: give command .* or url/],
    [[{ name: "a", command: "x", url: "http://127.0.0.1/mcp" }], /^servers\.0\.url: give either command .* not both/],
    [[{ name: "a", url: "ftp://example.com/" }], /^servers\.0\.url: an http:\/\/ or https:\/\/ URL/],
    [[{ name: "a", url: "http://example.com/", args: ["x"] }], /^servers\.0\.args: args is for a stdio server/],
    [[{ name: "a", command: "x", headers: { A: "b" } }], /^servers\.0\.headers: headers is for an HTTP server/],
    [[{ name: "a", command: "x", env: { "BAD-NAME": "1" } }], /^servers\.0\.env\.BAD-NAME: not an environment variable name/],
    [[{ name: "a", url: "http://example.com/", headers: { "Bad Header": "1" } }], /^servers\.0\.headers\.Bad Header: not an HTTP header name/],
    [[{ name: "a", command: "x" }, { name: "a", command: "y" }], /^servers\.1\.name: "a" names another server already/],
    [[{ name: "a", command: "x", comand: "y" }], /^servers\.0: Unrecognized key: "comand"/],
    [[{ name: "a", command: "x", timeout_seconds: 0 }], /^servers\.0\.timeout_seconds:/],
  ])("refuses %j naming the key", (servers, expected) => {
    expect(issues(servers).join("\n")).toMatch(expected);
  });
});
