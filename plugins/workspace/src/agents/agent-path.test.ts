import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { agentPath } from "./agent-path.js";
import { codeOf, tempRoot } from "./test-helpers.js";

function twoAgents() {
  const root = tempRoot();
  for (const id of ["a", "b"]) {
    mkdirSync(join(root, "agents", id, "workspace"), { recursive: true });
    mkdirSync(join(root, "agents", id, "state"), { recursive: true });
    writeFileSync(join(root, "agents", id, "workspace", "SOUL.md"), id);
  }
  return root;
}

describe("agentPath", () => {
  it("resolves paths inside the agent's tree, existing or not", () => {
    const root = twoAgents();
    const base = join(root, "agents", "a");
    expect(agentPath({ root, agentId: "a" }, "workspace/SOUL.md")).toBe(join(base, "workspace", "SOUL.md"));
    expect(agentPath({ root, agentId: "a" }, "state/new/deep.json")).toBe(join(base, "state", "new", "deep.json"));
    expect(agentPath({ root, agentId: "a" }, "./sessions/s.jsonl")).toBe(join(base, "sessions", "s.jsonl"));
    expect(agentPath({ root, agentId: "a" }, "")).toBe(base);
  });

  it("refuses another agent's files through .., with ALEPH_E_PERMISSION", async () => {
    const root = twoAgents();
    for (const rel of ["../b/workspace/SOUL.md", "../other-agent/x", "workspace/../../b/x", "..", "state/..", "a\\..\\..\\b"]) {
      expect(await codeOf(() => agentPath({ root, agentId: "a" }, rel)), rel).toBe("ALEPH_E_PERMISSION");
    }
  });

  it("refuses absolute paths and NUL", async () => {
    const root = twoAgents();
    for (const rel of [join(root, "agents", "b", "workspace", "SOUL.md"), "/etc/passwd", "\\\\server\\share", "C:\\x", "workspace/SOUL.md\0.txt"]) {
      expect(await codeOf(() => agentPath({ root, agentId: "a" }, rel)), rel).toBe("ALEPH_E_PERMISSION");
    }
  });

  it("refuses a symlink that leads out of the tree, existing or dangling", async () => {
    const root = twoAgents();
    const ws = join(root, "agents", "a", "workspace");
    symlinkSync(join(root, "agents", "b"), join(ws, "to-b"));
    symlinkSync(join(root, "agents", "b", "workspace", "SOUL.md"), join(ws, "soul-of-b.md"));
    symlinkSync(join(root, "outside", "not-yet.md"), join(ws, "dangling.md"));
    symlinkSync("../../b/workspace", join(ws, "relative-out"));
    for (const rel of ["workspace/to-b/workspace/SOUL.md", "workspace/to-b", "workspace/soul-of-b.md", "workspace/dangling.md", "workspace/relative-out/x"]) {
      expect(await codeOf(() => agentPath({ root, agentId: "a" }, rel)), rel).toBe("ALEPH_E_PERMISSION");
    }
    expect(() => agentPath({ root, agentId: "a" }, "workspace/to-b/x")).toThrow(/symbolic link/);
  });

  it("allows symlinks that stay inside, and an agent directory that is itself a link", () => {
    const root = twoAgents();
    const ws = join(root, "agents", "a", "workspace");
    symlinkSync(join(root, "agents", "a", "state"), join(ws, "state-link"));
    symlinkSync("SOUL.md", join(ws, "soul-alias.md"));
    symlinkSync("later.md", join(ws, "dangling-inside.md"));
    expect(agentPath({ root, agentId: "a" }, "workspace/state-link/x.json")).toBe(join(ws, "state-link", "x.json"));
    expect(agentPath({ root, agentId: "a" }, "workspace/soul-alias.md")).toBe(join(ws, "soul-alias.md"));
    expect(agentPath({ root, agentId: "a" }, "workspace/dangling-inside.md")).toBe(join(ws, "dangling-inside.md"));

    const elsewhere = tempRoot();
    mkdirSync(join(elsewhere, "workspace"));
    symlinkSync(elsewhere, join(root, "agents", "moved"));
    expect(agentPath({ root, agentId: "moved" }, "workspace/SOUL.md")).toBe(join(root, "agents", "moved", "workspace", "SOUL.md"));
  });

  it("refuses a link loop instead of hanging", async () => {
    const root = twoAgents();
    const ws = join(root, "agents", "a", "workspace");
    symlinkSync("loop2", join(ws, "loop1"));
    symlinkSync("loop1", join(ws, "loop2"));
    expect(await codeOf(() => agentPath({ root, agentId: "a" }, "workspace/loop1/x"))).toBe("ALEPH_E_PERMISSION");
  });
});
