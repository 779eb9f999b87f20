import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Logger } from "@aleph/plugin-sdk";
import { readToolsCache, serverKey, ToolsCacheWriter } from "./tools-cache.js";

const warnings: string[] = [];
const log: Logger = { trace() {}, debug() {}, info() {}, warn: (msg) => void warnings.push(msg), error() {}, child: () => log };
const tool = { name: "s__echo", original: "echo", description: "Echo", parameters: { type: "object" } };

describe("the tools cache", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "mcp-cache-unit-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("writes only once allowed, debounced, privately, and reads back what it wrote", async () => {
    const file = join(dir, "data", "tools-cache.json");
    const writer = new ToolsCacheWriter(file, log);
    writer.set("s", { key: "k1", tools: [tool] });
    await new Promise((r) => setTimeout(r, 400));
    await expect(stat(file)).rejects.toMatchObject({ code: "ENOENT" });
    writer.allow();
    await writer.flush();
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readToolsCache(file, log)).get("s")).toEqual({ key: "k1", tools: [tool] });
    writer.delete("s");
    await writer.flush();
    expect((await readToolsCache(file, log)).size).toBe(0);
  });

  it("ignores a missing, damaged or foreign-version file (with a warning for the damaged one)", async () => {
    expect((await readToolsCache(join(dir, "none.json"), log)).size).toBe(0);
    await writeFile(join(dir, "damaged.json"), '{"version":1,"servers":{');
    expect((await readToolsCache(join(dir, "damaged.json"), log)).size).toBe(0);
    expect(warnings.join("\n")).toMatch(/damaged/);
    await writeFile(join(dir, "v9.json"), JSON.stringify({ version: 9, servers: { s: { key: "k", tools: [] } } }));
    expect((await readToolsCache(join(dir, "v9.json"), log)).size).toBe(0);
  });

  it("keys an entry by what starts the server, not by its environment or headers (which hold secrets)", async () => {
    const base = { name: "s", enabled: true, command: "node", args: ["a.js"], timeout_seconds: 60, connect_timeout_seconds: 30 };
    expect(serverKey({ ...base, env: { TOKEN: "x" } })).toBe(serverKey({ ...base, env: { TOKEN: "y" } }));
    expect(serverKey({ ...base, args: ["b.js"] })).not.toBe(serverKey(base));
    const file = join(dir, "secret.json");
    const writer = new ToolsCacheWriter(file, log);
    writer.allow();
    writer.set("s", { key: serverKey({ ...base, env: { TOKEN: "very-secret" } }), tools: [tool] });
    await writer.flush();
    expect(await readFile(file, "utf8")).not.toContain("very-secret");
  });
});
