/*
 * The tools registry through the CLI: `aleph tools list|call` against a running kernel (control
 * socket) and without one (a one-shot kernel in the CLI process), with a Node plugin's tool.
 */
import { cpSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { createWorkspace, entryOf, runCli, runCliJson, startReadyKernel } from "./support/aleph.js";

const helloNode = resolve(fileURLToPath(new URL(".", import.meta.url)), "../plugins/examples/hello-node");

function withHelloNode() {
  const ws = createWorkspace();
  cpSync(helloNode, join(ws.userDir, "hello-node"), { recursive: true, filter: (src) => !src.includes("node_modules") });
  return ws;
}

describe("aleph tools", () => {
  test("the bundled tools plugin is active and hello-node's tool is listed and callable without a running kernel", async () => {
    const ws = withHelloNode();
    const plugins = await runCliJson(ws, ["plugins", "list", "--json"]);
    expect(entryOf(plugins, "tools")).toMatchObject({ source: "bundled", status: "active" });
    const tools = await runCliJson(ws, ["tools", "list", "--json"]);
    // hello-node's tool, and the bundled plugins' (memory, skills, fs-tools, shell, web-fetch; mcp has no server configured).
    expect(tools.map((t: { name: string; plugin: string }) => `${t.name}@${t.plugin}`).sort()).toEqual([
      "edit_file@fs-tools",
      "glob@fs-tools",
      "grep@fs-tools",
      "list_dir@fs-tools",
      "memory_add@memory",
      "memory_curate@memory",
      "memory_forget@memory",
      "memory_search@memory",
      "read_file@fs-tools",
      "shell@shell",
      "skill_read@skills",
      "web_fetch@web-fetch",
      "word_count@hello-node",
      "write_file@fs-tools",
    ]);
    expect(await runCliJson(ws, ["tools", "call", "word_count", '{"text":"one two three"}'])).toEqual({ count: 3 });
  });

  test("tools call goes through the running kernel when there is one", async () => {
    const ws = withHelloNode();
    const kernel = await startReadyKernel(ws);
    await kernel.waitForEvent("plugin.loaded", (p) => p.id === "hello-node");
    expect(await runCliJson(ws, ["tools", "call", "word_count", '{"text":"a b"}'])).toEqual({ count: 2 });
    const listed = await runCli(ws, ["tools", "list"]);
    expect(listed.stdout).toMatch(/word_count\s+hello-node\s+Counts the words of a text/);
  });

  test("bad arguments are refused with a clear reason: not JSON (2), not matching the schema (1), unknown tool (1)", async () => {
    const ws = withHelloNode();
    const notJson = await runCli(ws, ["tools", "call", "word_count", "{text:"]);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(/the arguments are not JSON/);
    const wrongShape = await runCli(ws, ["tools", "call", "word_count", '{"text":7}']);
    expect(wrongShape.code).toBe(1);
    expect(wrongShape.stderr).toMatch(/ALEPH_E_TOOL_ARGS: arguments of tool "word_count" do not match its schema: args\/text/);
    const unknown = await runCli(ws, ["tools", "call", "word_cont"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no tool named "word_cont" \(registered: [^)]*\bword_count\b[^)]*\)/);
    const missing = await runCli(ws, ["tools", "call"]);
    expect(missing.code).toBe(2);
  });
});
