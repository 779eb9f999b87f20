/*
 * The file tools in the agent loop, end to end: the real CLI with the bundled fs-tools, tools,
 * agent and workspace plugins, and a fake OpenAI-compatible model on 127.0.0.1. A workspace file's
 * content reaches the model; a link out of the workspace is refused and the model is told why;
 * writes are audited.
 */
import { mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { fakeModel, openaiProvider, writeProviders } from "./support/model.js";
import { createWorkspace, runCli, runCliJson } from "./support/aleph.js";

type Message = { role: string; content: string; tool_call_id?: string };
const toolResult = (body: Record<string, unknown>, id: string) => (body.messages as Message[]).find((m) => m.tool_call_id === id)?.content ?? "";

describe("file tools through aleph talk", () => {
  test("read_file of a workspace file reaches the model; one through a link out of the workspace is refused; a write is audited", async () => {
    const ws = createWorkspace();
    const workspace = join(ws.root, "agents", "main", "workspace");
    mkdirSync(workspace, { recursive: true });
    writeFileSync(join(workspace, "plan.md"), "step one\nstep two PLAN-MARKER-3\n");
    const outside = join(ws.home, "private");
    mkdirSync(outside, { recursive: true });
    writeFileSync(join(outside, "secret.txt"), "SECRET-MARKER-8\n");
    symlinkSync(join(outside, "secret.txt"), join(workspace, "notes.txt"));

    const model = await fakeModel([
      { toolCalls: [{ id: "c1", name: "read_file", arguments: { path: "plan.md" } }] },
      { toolCalls: [{ id: "c2", name: "read_file", arguments: { path: "notes.txt" } }] },
      { toolCalls: [{ id: "c3", name: "write_file", arguments: { path: "out/summary.md", content: "done\n" } }] },
      { text: "Read it." },
    ]);
    writeProviders(ws, openaiProvider("local", model));
    const result = await runCli(ws, ["talk", "-m", "read my plan"], { timeoutMs: 30_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe("Read it.\n");

    expect(toolResult(model.requests[1]!.body, "c1")).toContain("step two PLAN-MARKER-3");
    const refused = toolResult(model.requests[2]!.body, "c2");
    expect(refused).toMatch(/^error: .*outside the agent's workspace/);
    expect(refused).toContain(join(outside, "secret.txt")); // where the link led
    expect(refused).not.toContain("SECRET-MARKER-8");
    expect(readFileSync(join(workspace, "out", "summary.md"), "utf8")).toBe("done\n");

    const auditDir = join(ws.root, "audit");
    const records = readdirSync(auditDir).flatMap((f) => readFileSync(join(auditDir, f), "utf8").trim().split("\n")).map((l) => JSON.parse(l));
    expect(records).toContainEqual(expect.objectContaining({ actor: "fs-tools", action: "fs.write_file", target: join(workspace, "out", "summary.md"), ok: true, agent: "main", bytes: 5 }));
  });

  test("aleph tools list shows the file tools, and [tools.fs] roots grants a folder", async () => {
    const granted = createWorkspace();
    const shared = join(granted.home, "shared");
    mkdirSync(shared);
    writeFileSync(join(shared, "a.txt"), "A\n");
    const names = (await runCliJson<{ name: string; plugin: string }[]>(granted, ["tools", "list", "--json"])).filter((t) => t.plugin === "fs-tools").map((t) => t.name);
    expect(names.sort()).toEqual(["edit_file", "glob", "grep", "list_dir", "read_file", "write_file"]);
    const before = await runCli(granted, ["tools", "call", "read_file", JSON.stringify({ path: join(shared, "a.txt") })]);
    expect(before.code).toBe(1);
    expect(before.stderr).toMatch(/ALEPH_E_UNSAFE_PATH.*\[tools\.fs\] roots/s);
    writeFileSync(join(granted.root, "config.toml"), `[tools.fs]\nroots = [${JSON.stringify(shared)}]\n`);
    expect(await runCliJson(granted, ["tools", "call", "read_file", JSON.stringify({ path: join(shared, "a.txt") })])).toMatchObject({ content: "A" });
  });
});
