import { mkdir, mkdtemp, readFile, realpath, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readAudit, toolsRef, workspaceRef } from "@aleph/plugin-sdk";
import { createTestKernel, runPluginConformance, type TestKernel } from "@aleph/testing";

// The plugin as built (dist/), with the bundled tools and workspace plugins, in a real kernel.
const fsToolsDir = fileURLToPath(new URL("..", import.meta.url));
const pluginDir = (name: string) => dirname(fileURLToPath(import.meta.resolve(`@aleph/plugin-${name}/aleph_plugin.toml`)));

describe("the fs-tools plugin in a kernel", () => {
  let kernel: TestKernel;
  let granted: string;
  let outside: string;

  beforeAll(async () => {
    const base = await realpath(await mkdtemp(join(tmpdir(), "fs-tools-kit-")));
    granted = join(base, "granted");
    outside = join(base, "outside");
    await mkdir(granted);
    await mkdir(outside);
    await writeFile(join(outside, "secret.txt"), "top secret\n");
    kernel = await createTestKernel({
      plugins: [pluginDir("tools"), pluginDir("workspace"), fsToolsDir],
      config: { agents: [{ id: "main" }, { id: "writer" }], tools: { fs: { roots: [granted], max_read_bytes: 4096 } } },
    });
  }, 60_000);
  afterAll(async () => {
    const base = dirname(granted);
    await kernel?.stop();
    await rm(base, { recursive: true, force: true });
  });

  it("is active and registers the six tools", () => {
    expect(kernel.plugin("fs-tools")?.status).toBe("active");
    const names = kernel.service(toolsRef)!.list().filter((t) => t.plugin === "fs-tools").map((t) => t.name);
    expect(names.sort()).toEqual(["edit_file", "glob", "grep", "list_dir", "read_file", "write_file"]);
  });

  it("writes, edits, reads, lists, globs and greps in the calling agent's workspace, auditing the writes", async () => {
    const tools = kernel.service(toolsRef)!;
    const writer = { agentId: "writer", sessionKey: "agent:writer:kit" };
    const writerDir = kernel.service(workspaceRef)!.agents().find((a) => a.id === "writer")!.workspaceDir;
    expect(await tools.call("write_file", { path: "notes/todo.md", content: "- buy milk\n- call Ada\n" }, writer)).toEqual({ path: "notes/todo.md", bytes: 22, created: true });
    expect(await readFile(join(writerDir, "notes", "todo.md"), "utf8")).toBe("- buy milk\n- call Ada\n");
    expect(await tools.call("edit_file", { path: "notes/todo.md", old_text: "buy milk", new_text: "buy oat milk" }, writer)).toMatchObject({ line: 1 });
    expect(await tools.call("read_file", { path: "notes/todo.md", start_line: 1, end_line: 1 }, writer)).toMatchObject({ content: "- buy oat milk" });
    expect(await tools.call("list_dir", { path: "notes" }, writer)).toMatchObject({ entries: [{ name: "todo.md", type: "file", size: 26 }] });
    expect(await tools.call("glob", { pattern: "**/*.md" }, writer)).toMatchObject({ matches: expect.arrayContaining(["notes/todo.md"]) });
    expect(await tools.call("grep", { pattern: "Ada", glob: "*.md" }, writer)).toMatchObject({ matches: ["notes/todo.md:2:- call Ada"] });

    const records = readAudit(kernel.root).records.filter((r) => r.actor === "fs-tools");
    expect(records).toEqual([
      expect.objectContaining({ action: "fs.write_file", ok: true, agent: "writer", session: "agent:writer:kit", bytes: 22 }),
      expect.objectContaining({ action: "fs.edit_file", ok: true, agent: "writer", session: "agent:writer:kit", bytes: 26 }),
    ]);
  });

  it("keeps an agent out of another's workspace and out of links that lead away; a granted root is reachable", async () => {
    const tools = kernel.service(toolsRef)!;
    await expect(tools.call("read_file", { path: "../writer/notes/todo.md" }, { agentId: "main" })).rejects.toMatchObject({ code: "ALEPH_E_UNSAFE_PATH" });
    const mainDir = kernel.service(workspaceRef)!.agents().find((a) => a.id === "main")!.workspaceDir;
    await mkdir(mainDir, { recursive: true });
    await symlink(join(outside, "secret.txt"), join(mainDir, "secret.txt"));
    await expect(tools.call("read_file", { path: "secret.txt" })).rejects.toMatchObject({ code: "ALEPH_E_UNSAFE_PATH", message: expect.stringMatching(/\[tools\.fs\] roots/) });
    await tools.call("write_file", { path: join(granted, "shared.txt"), content: "shared" });
    expect(await tools.call("read_file", { path: join(granted, "shared.txt") })).toMatchObject({ content: "shared" });
  });

  it("validates arguments through the registry's schemas", async () => {
    await expect(kernel.service(toolsRef)!.call("read_file", { path: "x", start_line: 0 })).rejects.toMatchObject({ code: "ALEPH_E_TOOL_ARGS" });
  });

  it("takes a new grant from a config change on the next call, reloading neither itself nor the tools registry", async () => {
    const tools = kernel.service(toolsRef)!;
    const generations = () => [kernel.plugin("tools")?.generation, kernel.plugin("fs-tools")?.generation];
    const before = generations();
    await expect(tools.call("list_dir", { path: outside })).rejects.toMatchObject({ code: "ALEPH_E_UNSAFE_PATH" });
    expect(await kernel.writeConfig({ agents: [{ id: "main" }, { id: "writer" }], tools: { fs: { roots: [granted, outside] } } })).toMatchObject({ applied: true });
    expect(await tools.call("list_dir", { path: outside })).toMatchObject({ entries: [{ name: "secret.txt", type: "file" }] });
    // [tools.fs] sits inside the tools plugin's [tools]: its config handler keeps it from a reload that would drop every tool.
    expect(generations()).toEqual(before);
  });

  it("refuses a [tools.fs] section with a relative root", async () => {
    await using other = await createTestKernel({ plugins: [pluginDir("tools"), fsToolsDir], config: { tools: { fs: { roots: ["relative/dir"] } } } });
    expect(other.plugin("fs-tools")?.status).toBe("failed");
    expect(other.plugin("fs-tools")?.error?.message).toMatch(/absolute path/);
  }, 60_000);

  it("passes the conformance kit", async () => {
    const result = await runPluginConformance(fsToolsDir, { plugins: [pluginDir("tools")] });
    expect(result.checks.filter((c) => !c.ok)).toEqual([]);
  }, 60_000);
});
