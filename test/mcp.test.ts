/*
 * The MCP client end to end: the real CLI with the bundled mcp, tools and agent plugins against a
 * real, independent MCP server — @modelcontextprotocol/server-everything over stdio — and a fake
 * OpenAI-compatible model on 127.0.0.1. Its tools are listed (`aleph mcp list|tools`), one is
 * called by the model through `aleph talk`; the server killed is restarted and the next call works;
 * the server removed from config.toml takes its tools with it. And a kernel without
 * [[mcp.servers]] never loads the MCP client.
 */
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, test } from "vitest";
import { fakeModel, openaiProvider, writeProviders } from "./support/model.js";
import { moduleRecorder } from "./support/module-loads.js";
import { createWorkspace, eventually, runCli, runCliJson, startKernel, startReadyKernel, type Workspace } from "./support/aleph.js";

// The everything server is a devDependency of the mcp plugin: resolved from there.
const mcpPlugin = resolve(dirname(fileURLToPath(import.meta.url)), "../plugins/mcp");
const everythingBin = join(dirname(createRequire(join(mcpPlugin, "package.json")).resolve("@modelcontextprotocol/server-everything/package.json")), "dist", "index.js");

type Message = { role: string; content: string; tool_call_id?: string };
type OfferedTool = { type: string; function: { name: string; description: string; parameters: Record<string, unknown> } };
const toolResult = (body: Record<string, unknown>, id: string) => (body.messages as Message[]).find((m) => m.tool_call_id === id)?.content ?? "";
interface ServerStatus {
  name: string;
  status: string;
  tools: number;
  pid?: number;
  restarts: number;
  transport: string;
}

const everythingConfig = `[[mcp.servers]]\nname = "everything"\ncommand = ${JSON.stringify(process.execPath)}\nargs = [${JSON.stringify(everythingBin)}]\n`;

// Server processes a test saw: killed after it whatever happened (the kernel's children are killed
// by the shared cleanup; an MCP server whose kernel was SIGKILLed would only end at its stdin's EOF).
const serverPids = new Set<number>();
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
afterEach(() => {
  for (const pid of serverPids) if (alive(pid)) process.kill(pid, "SIGKILL");
  serverPids.clear();
});

async function mcpList(ws: Workspace): Promise<ServerStatus[]> {
  const servers = await runCliJson<ServerStatus[]>(ws, ["mcp", "list", "--json"]);
  for (const s of servers) if (s.pid) serverPids.add(s.pid);
  return servers;
}

describe("MCP servers through the aleph CLI", () => {
  test("lists the everything server and its tools, a model calls one through aleph talk, a killed server is restarted and called again, a removed one takes its tools away", { timeout: 90_000 }, async () => {
    const ws = createWorkspace({ config: everythingConfig });
    const model = await fakeModel([
      { toolCalls: [{ id: "c1", name: "everything__echo", arguments: { message: "hello from the model" } }] },
      { text: "The server echoed it." },
      { toolCalls: [{ id: "c2", name: "everything__get_sum", arguments: { a: 19, b: 23 } }] },
      { text: "It is 42." },
    ]);
    writeProviders(ws, openaiProvider("local", model));
    const kernel = await startReadyKernel(ws);
    const ready = await kernel.waitForEvent("mcp.server.ready", (p) => p.server === "everything", 20_000);

    const [listed] = await mcpList(ws);
    expect(listed).toMatchObject({ name: "everything", transport: "stdio", status: "ready", restarts: 0, pid: ready.payload.pid });
    expect(listed!.tools).toBeGreaterThanOrEqual(11);
    const human = await runCli(ws, ["mcp", "list"]);
    expect(human.stdout).toMatch(/^everything\s+ready\s+\d+\s+stdio\s+\d+\s+/m);
    const tools = await runCliJson<{ name: string; original: string; registered: boolean }[]>(ws, ["mcp", "tools", "everything", "--json"]);
    expect(tools).toEqual(expect.arrayContaining([expect.objectContaining({ name: "everything__echo", original: "echo", registered: true }), expect.objectContaining({ name: "everything__get_tiny_image", original: "get-tiny-image" })]));
    expect(tools.filter((t) => t.registered)).toHaveLength(listed!.tools);
    const unknown = await runCli(ws, ["mcp", "tools", "nowhere"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/ALEPH_E_NOT_FOUND: no MCP server named "nowhere"/);

    // The model is offered the server's tools and calls one; the result reaches it.
    const talk = await runCli(ws, ["talk", "-m", "echo something"], { timeoutMs: 30_000 });
    expect(talk.code, talk.stderr).toBe(0);
    expect(talk.stdout).toBe("The server echoed it.\n");
    const offered = (model.requests[0]!.body.tools as OfferedTool[]).find((t) => t.function.name === "everything__echo");
    expect(offered?.function).toMatchObject({ description: expect.stringContaining('MCP server "everything"'), parameters: { type: "object", required: ["message"] } });
    expect(toolResult(model.requests[1]!.body, "c1")).toBe("Echo: hello from the model");

    // Killed: restarted with a new process, and the next call works.
    const since = kernel.mark();
    process.kill(listed!.pid!, "SIGKILL");
    await kernel.waitForEvent("mcp.server.restarting", (p) => p.server === "everything", 10_000, since);
    const back = await kernel.waitForEvent("mcp.server.ready", (p) => p.server === "everything" && p.restarts === 1, 20_000, since);
    expect(back.payload.pid).not.toBe(listed!.pid);
    const [relisted] = await mcpList(ws);
    expect(relisted).toMatchObject({ status: "ready", restarts: 1, pid: back.payload.pid });
    expect(alive(listed!.pid!)).toBe(false);
    const again = await runCli(ws, ["talk", "-m", "add 19 and 23"], { timeoutMs: 30_000 });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe("It is 42.\n");
    expect(toolResult(model.requests[3]!.body, "c2")).toMatch(/42/);

    // Removed from config.toml: its tools leave the registry and its process ends.
    const removedSince = kernel.mark();
    writeFileSync(ws.configFile, "# no MCP servers any more\n");
    await kernel.waitForEvent("mcp.tools.changed", (p) => p.server === "everything" && p.removed.includes("everything__echo"), 15_000, removedSince);
    const after = await runCliJson<{ name: string }[]>(ws, ["tools", "list", "--json"]);
    expect(after.filter((t) => t.name.startsWith("everything__"))).toEqual([]);
    expect(await runCliJson(ws, ["mcp", "list", "--json"])).toEqual([]);
    await eventually(() => expect(alive(back.payload.pid)).toBe(false), 5000);
  });

  test("without a running kernel, `aleph mcp list` starts the server in its own process, waits for it, and stops it on exit", { timeout: 60_000 }, async () => {
    const ws = createWorkspace({ config: everythingConfig });
    const [server] = await mcpList(ws);
    expect(server).toMatchObject({ name: "everything", status: "ready", restarts: 0 });
    expect(server!.tools).toBeGreaterThanOrEqual(11);
    await eventually(() => expect(alive(server!.pid!)).toBe(false), 5000);
    // The tool list it saw is cached: the next one-shot kernel offers the tools at once and the call waits for the server.
    const echoed = await runCliJson(ws, ["tools", "call", "everything__echo", '{"message":"cached"}']);
    expect(echoed).toBe("Echo: cached");
  });

  test("a first one-shot aleph talk (no running kernel, no cached tool list) waits for the server and offers its tools", { timeout: 60_000 }, async () => {
    const ws = createWorkspace({ config: everythingConfig });
    const model = await fakeModel([{ toolCalls: [{ id: "c1", name: "everything__echo", arguments: { message: "first" } }] }, { text: "done" }]);
    writeProviders(ws, openaiProvider("local", model));
    const talk = await runCli(ws, ["talk", "-m", "echo first"], { timeoutMs: 40_000 });
    expect(talk.code, talk.stderr).toBe(0);
    expect((model.requests[0]!.body.tools as OfferedTool[]).map((t) => t.function.name)).toContain("everything__echo");
    expect(toolResult(model.requests[1]!.body, "c1")).toBe("Echo: first");
  });

  test("a kernel without [[mcp.servers]] never loads the MCP client (the SDK, dist/runtime.js); with one it does", { timeout: 60_000 }, async () => {
    const modulesLoaded = async (config: string): Promise<string[]> => {
      const ws = createWorkspace({ config });
      const recorder = moduleRecorder(ws);
      const kernel = startKernel(ws, ["--no-watch"], { env: recorder.env });
      await kernel.ready();
      if (config) {
        const ready = await kernel.waitForEvent("mcp.server.ready", () => true, 20_000);
        serverPids.add(ready.payload.pid);
      }
      await kernel.stop();
      return recorder.loaded();
    };
    const mcpClient = (url: string) => url.includes("/@modelcontextprotocol/sdk/") || url.endsWith("/plugins/mcp/dist/runtime.js");
    const without = await modulesLoaded("");
    expect(without.some((url) => url.endsWith("/plugins/mcp/dist/index.js")), "the recorder sees the plugin's entry load").toBe(true);
    expect(without.filter(mcpClient)).toEqual([]);
    expect((await modulesLoaded(everythingConfig)).some(mcpClient), "and would see it with a server").toBe(true);
  });
});
