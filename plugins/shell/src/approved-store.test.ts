import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ApprovedCommands, MAX_REMEMBERED_PER_AGENT } from "./approved-store.js";

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "shell-approved-"));
  file = join(dir, "data", "shell", "approved.json");
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("ApprovedCommands", () => {
  it("remembers nothing without a file", async () => {
    expect(await new ApprovedCommands(file).has("main", "ls")).toBe(false);
  });

  it("remembers a command for one agent, exactly, in a private file", async () => {
    const store = new ApprovedCommands(file);
    await store.remember("main", "npm test");
    expect(await store.has("main", "npm test")).toBe(true);
    expect(await store.has("main", "npm test --watch")).toBe(false); // not a prefix
    expect(await store.has("main", "npm  test")).toBe(false);
    expect(await store.has("writer", "npm test")).toBe(false); // not another agent's
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, "data", "shell"))).mode & 0o777).toBe(0o700);
    expect(JSON.parse(await readFile(file, "utf8"))).toEqual({ version: 1, agents: { main: ["npm test"] } });
  });

  it("keeps both of two answers given at once, and each command once", async () => {
    const store = new ApprovedCommands(file);
    await Promise.all([store.remember("main", "a"), store.remember("main", "b"), store.remember("ops", "c"), store.remember("main", "a")]);
    expect(JSON.parse(await readFile(file, "utf8")).agents).toEqual({ main: ["b", "a"], ops: ["c"] });
  });

  it("reads the file on each check: an edit by hand takes effect", async () => {
    const store = new ApprovedCommands(file);
    await store.remember("main", "make");
    await writeFile(file, JSON.stringify({ version: 1, agents: { main: [] } }));
    expect(await store.has("main", "make")).toBe(false);
  });

  it("treats a damaged file as remembering nothing, warns, and replaces it at the next answer", async () => {
    const warnings: string[] = [];
    const store = new ApprovedCommands(file, (m) => warnings.push(m));
    await store.remember("main", "ls");
    await writeFile(file, "{ not json");
    expect(await store.has("main", "ls")).toBe(false);
    expect(warnings).toEqual([expect.stringMatching(/is not a list of approved commands/)]);
    await writeFile(file, JSON.stringify({ version: 1, agents: { main: [42] } }));
    expect(await store.has("main", "ls")).toBe(false);
    await store.remember("main", "pwd");
    expect(JSON.parse(await readFile(file, "utf8"))).toEqual({ version: 1, agents: { main: ["pwd"] } });
  });

  it("keeps the newest commands when an agent has too many", async () => {
    const store = new ApprovedCommands(file);
    await store.remember("main", "first"); // creates the folder
    const many = Array.from({ length: MAX_REMEMBERED_PER_AGENT }, (_, i) => `cmd ${i}`);
    await writeFile(file, JSON.stringify({ version: 1, agents: { main: many } }));
    await store.remember("main", "newest");
    expect(await store.has("main", "newest")).toBe(true);
    expect(await store.has("main", "cmd 0")).toBe(false);
    expect(await store.has("main", "cmd 1")).toBe(true);
  });
});
