import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { agentDir, agentWorkspaceDir, validateAgentId } from "./agent-id.js";
import { agentPath } from "./agent-path.js";
import { archiveAgent, purgeAgent } from "./archive.js";
import { checkAgentWorkspace } from "./check.js";
import { seedAgent } from "./seed.js";
import { codeOf, tempRoot } from "./test-helpers.js";

const BAD_IDS: unknown[] = ["", "..", "../b", "a/b", "a\\b", "a\0b", "x".repeat(65), ".archive", "a..b", "/abs", undefined, 7];

describe("agent ids are validated everywhere", () => {
  it("accepts ordinary ids, up to 64 characters", () => {
    for (const id of ["main", "ops-2", "a.b_c", "x".repeat(64)]) expect(validateAgentId(id)).toBe(id);
  });

  it("every entry point refuses bad ids with ALEPH_E_INVALID_ID and touches nothing", async () => {
    const root = tempRoot();
    mkdirSync(join(root, "agents", "b"), { recursive: true }); // a neighbour a bad id might reach
    const calls: [string, (id: any) => unknown][] = [
      ["validateAgentId", (id) => validateAgentId(id)],
      ["agentDir", (id) => agentDir({ root, agentId: id })],
      ["agentWorkspaceDir", (id) => agentWorkspaceDir({ root, agentId: id })],
      ["agentPath", (id) => agentPath({ root, agentId: id }, "workspace/SOUL.md")],
      ["seedAgent", (id) => seedAgent({ root, agentId: id, preset: "default" })],
      ["checkAgentWorkspace", (id) => checkAgentWorkspace({ root, agentId: id, preset: "default" })],
      ["archiveAgent", (id) => archiveAgent({ root, agentId: id })],
      ["purgeAgent", (id) => purgeAgent({ root, agentId: id })],
    ];
    for (const [name, call] of calls) {
      for (const id of BAD_IDS) expect(await codeOf(() => call(id)), `${name}(${JSON.stringify(id)})`).toBe("ALEPH_E_INVALID_ID");
    }
    expect(readdirSync(join(root, "agents"))).toEqual(["b"]);
    expect(readdirSync(join(root, "agents", "b"))).toEqual([]);
    expect(existsSync(join(root, "agents", ".archive"))).toBe(false);
  });
});
