import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { archiveAgent, archiveStamp, purgeAgent } from "./archive.js";
import { seedAgent } from "./seed.js";
import { checksums, codeOf, tempRoot } from "./test-helpers.js";

const NOW = new Date("2025-03-04T05:06:07.089Z");

describe("archiveAgent", () => {
  it("moves agents/<id> to agents/.archive/<id>-<timestamp>/ with every file intact", async () => {
    const root = tempRoot();
    await seedAgent({ root, agentId: "main", preset: "default" });
    const agent = join(root, "agents", "main");
    writeFileSync(join(agent, "sessions", "s1.jsonl"), '{"turn":1}\n');
    writeFileSync(join(agent, "workspace", "SOUL.md"), "edited");
    const before = checksums(agent);
    const result = await archiveAgent({ root, agentId: "main", now: NOW });
    expect(result.to).toBe(join(root, "agents", ".archive", "main-2025-03-04T05-06-07-089Z"));
    expect(existsSync(agent)).toBe(false);
    expect(checksums(result.to)).toEqual(before);
  });

  it("never replaces an earlier archive: a second one at the same instant gets a suffix", async () => {
    const root = tempRoot();
    await seedAgent({ root, agentId: "main", preset: "default" });
    const first = await archiveAgent({ root, agentId: "main", now: NOW });
    await seedAgent({ root, agentId: "main", preset: "default" });
    writeFileSync(join(root, "agents", "main", "workspace", "SOUL.md"), "second");
    const second = await archiveAgent({ root, agentId: "main", now: NOW });
    expect(second.to).toBe(`${first.to}-2`);
    expect(readdirSync(join(root, "agents", ".archive")).sort()).toEqual(["main-2025-03-04T05-06-07-089Z", "main-2025-03-04T05-06-07-089Z-2"]);
    expect(readFileSync(join(second.to, "workspace", "SOUL.md"), "utf8")).toBe("second");
    expect(readFileSync(join(first.to, "workspace", "SOUL.md"), "utf8")).not.toBe("second");
  });

  it("skips a name that is taken, even by an empty directory", async () => {
    const root = tempRoot();
    await seedAgent({ root, agentId: "main", preset: "default" });
    mkdirSync(join(root, "agents", ".archive", `main-${archiveStamp(NOW)}`), { recursive: true });
    const result = await archiveAgent({ root, agentId: "main", now: NOW });
    expect(result.to.endsWith("-2")).toBe(true);
  });

  it("refuses an agent that does not exist", async () => {
    expect(await codeOf(() => archiveAgent({ root: tempRoot(), agentId: "ghost" }))).toBe("ALEPH_E_USAGE");
  });
});

describe("purgeAgent", () => {
  it("deletes the agent's directory", async () => {
    const root = tempRoot();
    await seedAgent({ root, agentId: "main", preset: "default" });
    await seedAgent({ root, agentId: "other", preset: "default" });
    await purgeAgent({ root, agentId: "main" });
    expect(readdirSync(join(root, "agents"))).toEqual(["other"]);
  });

  it("removes a symlinked agent directory's link, not its target", async () => {
    const root = tempRoot();
    const elsewhere = tempRoot();
    writeFileSync(join(elsewhere, "keep.md"), "x");
    mkdirSync(join(root, "agents"));
    symlinkSync(elsewhere, join(root, "agents", "linked"));
    await purgeAgent({ root, agentId: "linked" });
    expect(existsSync(join(root, "agents", "linked"))).toBe(false);
    expect(readFileSync(join(elsewhere, "keep.md"), "utf8")).toBe("x");
  });

  it("refuses an agent that does not exist", async () => {
    expect(await codeOf(() => purgeAgent({ root: tempRoot(), agentId: "ghost" }))).toBe("ALEPH_E_USAGE");
  });
});
