/*
 * The agent loop in a real kernel (the test kit) with the real sessions, providers and tools
 * plugins and a scripted fake model on 127.0.0.1: what each turn sends, stores and reports.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { agentRef, definePlugin, sessionsRef, toolsRef, type AgentService, type AgentTurnEvent, type AgentTurnInput, type ToolCallContext } from "@aleph/plugin-sdk";
import { createTestKernel, startFakeModelServer, type FakeModelServer, type FakeTurn, type TestKernel, type TestPlugin } from "@aleph/testing";

const here = dirname(fileURLToPath(import.meta.url));
const pluginDir = (name: string) => dirname(fileURLToPath(import.meta.resolve(`@aleph/plugin-${name}/aleph_plugin.toml`)));
const agentDir = join(here, "..");

let kernel: TestKernel | undefined;
let model: FakeModelServer | undefined;
afterEach(async () => {
  await kernel?.stop();
  await model?.close();
  kernel = undefined;
  model = undefined;
});

/** Tool calls the tools see, with who called. */
const seen: { name: string; args: unknown; context: ToolCallContext }[] = [];

const testTools: TestPlugin = {
  manifest: { plugin: { id: "test-tools", version: "1.0.0" }, services: { requires: ["tools"] } },
  definition: definePlugin({
    setup(ctx) {
      const tools = ctx.services.get(toolsRef);
      const schema = { type: "object", properties: { text: { type: "string" } }, required: ["text"] };
      ctx.onDispose(tools.register({ name: "echo", description: "Echoes text", parameters: schema, handler: (args: { text: string }, context) => (seen.push({ name: "echo", args, context }), { echoed: args.text }) }, ctx.id).dispose);
      ctx.onDispose(tools.register({ name: "explode", description: "Always fails", parameters: schema, handler: () => { throw new Error("the tool broke"); } }, ctx.id).dispose);
      ctx.onDispose(
        tools.register(
          {
            name: "wait",
            description: "Waits until cancelled",
            parameters: schema,
            handler: (args: { text: string }, context) =>
              new Promise((resolve) => {
                seen.push({ name: "wait", args, context });
                context.signal?.addEventListener("abort", () => resolve("aborted"), { once: true });
              }),
          },
          ctx.id,
        ).dispose,
      );
    },
  }),
};

async function start(turns: FakeTurn[], config = "", extraPlugins: TestPlugin[] = []): Promise<AgentService> {
  seen.length = 0;
  model = await startFakeModelServer(turns);
  const root = mkdtempSync(join(tmpdir(), "aleph-agent-"));
  writeFileSync(join(root, "providers.toml"), `[providers.fake]\nprotocol = "openai"\nmodel = "fake-model"\nbase_url = "${model.baseUrls.openai}"\nmax_retries = 0\n`, { mode: 0o600 });
  kernel = await createTestKernel({ root, config, plugins: [pluginDir("sessions"), pluginDir("providers"), pluginDir("tools"), agentDir, testTools, ...extraPlugins] });
  expect(kernel.plugin("agent")?.status).toBe("active");
  return kernel.service(agentRef)!;
}

async function turn(agent: AgentService, input: AgentTurnInput): Promise<AgentTurnEvent[]> {
  const events: AgentTurnEvent[] = [];
  for await (const event of agent.turn(input)) events.push(event);
  return events;
}

const last = (events: AgentTurnEvent[]) => events[events.length - 1]!;
const bodyOf = (i: number) => model!.requests[i]!.body as { messages: { role: string; content: string | null }[]; tools?: { function: { name: string } }[] };
const history = (key = "agent:main:main") => kernel!.service(sessionsRef)!.history(key);

describe("agent turns", () => {
  it("answers a message once per idempotency id: the second send gets the stored answer without a model call", async () => {
    const agent = await start([{ text: "Hello once." }]);
    const first = await turn(agent, { text: "hi", id: "m-1" });
    expect(last(first)).toMatchObject({ type: "turn.completed", text: "Hello once.", iterations: 1 });
    const again = await turn(agent, { text: "hi", id: "m-1" });
    expect(last(again)).toMatchObject({ type: "turn.completed", text: "Hello once.", iterations: 0 });
    expect(model!.requests).toHaveLength(1);
    expect((await history()).map((m) => m.role)).toEqual(["user", "assistant"]);
  });

  it("serialises the turns of one session (the second sees the first's answer) and runs other sessions alongside", async () => {
    const agent = await start([{ text: "first answer", firstTokenDelayMs: 300 }, { text: "second answer" }]);
    const [a, b] = await Promise.all([turn(agent, { text: "one" }), turn(agent, { text: "two" })]);
    expect(last(a)).toMatchObject({ text: "first answer" });
    expect(last(b)).toMatchObject({ text: "second answer" });
    expect(bodyOf(1).messages.map((m) => m.content)).toEqual(expect.arrayContaining(["one", "first answer", "two"]));

    // A slow session does not hold up another one.
    model!.push({ text: "slow", firstTokenDelayMs: 1500 }, { text: "fast" });
    const order: string[] = [];
    const slow = turn(agent, { text: "slow please", sessionKey: "agent:main:cli:dm:slow" }).then((e) => order.push((last(e) as { text: string }).text));
    await new Promise((r) => setTimeout(r, 100));
    const fast = turn(agent, { text: "fast please", sessionKey: "agent:main:cli:dm:fast" }).then((e) => order.push((last(e) as { text: string }).text));
    await Promise.all([slow, fast]);
    expect(order).toEqual(["fast", "slow"]);
  });

  it("runs a step's tool calls concurrently, stores their results in order, and gives a failing tool's error to the model", async () => {
    const agent = await start([
      { toolCalls: [{ id: "c1", name: "echo", arguments: { text: "a" } }, { id: "c2", name: "explode", arguments: { text: "b" } }, { id: "c3", name: "nope", arguments: {} }] },
      { text: "done" },
    ]);
    const events = await turn(agent, { text: "use tools" });
    expect(last(events)).toMatchObject({ type: "turn.completed", text: "done", iterations: 2 });
    expect(events.filter((e) => e.type === "tool.result").map((e) => [e.type === "tool.result" && e.name, e.type === "tool.result" && e.ok])).toEqual(
      expect.arrayContaining([["echo", true], ["explode", false], ["nope", false]]),
    );
    const stored = await history();
    expect(stored.map((m) => m.role)).toEqual(["user", "assistant", "tool", "tool", "tool", "assistant"]);
    expect(stored.slice(2, 5).map((m) => (m.meta as { toolCallId: string }).toolCallId)).toEqual(["c1", "c2", "c3"]);
    expect(stored[3]!.content).toMatch(/error: .*the tool broke/);
    expect(stored[4]!.content).toMatch(/no tool named "nope"/);
    // The tool saw who called it.
    expect(seen[0]!.context).toMatchObject({ agentId: "main", sessionKey: "agent:main:main" });
    // The second request carries the three results.
    expect(bodyOf(1).messages.filter((m) => m.role === "tool")).toHaveLength(3);
  });

  it("stops offering tools after max_iterations model calls and asks once more for a final answer", async () => {
    const ask = (id: string): FakeTurn => ({ toolCalls: [{ id, name: "echo", arguments: { text: id } }] });
    const agent = await start([ask("1"), ask("2"), { text: "final" }], "[agent]\nmax_iterations = 2\n");
    const events = await turn(agent, { text: "loop" });
    expect(last(events)).toMatchObject({ type: "turn.completed", text: "final", iterations: 3 });
    expect(model!.requests.map((r) => Array.isArray(r.body.tools))).toEqual([true, true, false]);
  });

  it("offers an agent only its allowed tools (tools_allow / tools_deny)", async () => {
    const agent = await start([{ text: "ok" }, { text: "ok" }], '[agent.agents.main]\ntools_deny = ["explode"]\n[agent.agents.helper]\ntools_allow = ["echo"]\n');
    await turn(agent, { text: "which tools?" });
    expect(bodyOf(0).tools!.map((t) => t.function.name).sort()).toEqual(["echo", "wait"]);
    await turn(agent, { text: "and you?", agentId: "helper", sessionKey: "agent:helper:main" });
    expect(bodyOf(1).tools!.map((t) => t.function.name)).toEqual(["echo"]);
  });

  it("puts stable context in a system prompt that stays byte-identical across turns, and turn context on the current message only", async () => {
    let calls = 0;
    const contributor: TestPlugin = {
      manifest: { plugin: { id: "ctx-test", version: "1.0.0" }, services: { requires: ["agent"] } },
      definition: definePlugin({
        setup(ctx) {
          const agent = ctx.services.get(agentRef);
          ctx.onDispose(agent.addContextContributor({ name: "index", maxChars: 1000, contribute: () => [{ placement: "stable", text: "SKILLS: a, b" }, { placement: "turn", text: `RECALL #${++calls}` }] }).dispose);
          ctx.onDispose(agent.addContextContributor({ name: "broken", maxChars: 100, contribute: () => { throw new Error("contributor down"); } }).dispose);
        },
      }),
    };
    const agent = await start([{ text: "a" }, { text: "b" }], "", [contributor]);
    await turn(agent, { text: "first" });
    await turn(agent, { text: "second" });
    const [one, two] = [bodyOf(0).messages, bodyOf(1).messages];
    expect(one[0]!.role).toBe("system");
    expect(one[0]!.content).toContain("SKILLS: a, b");
    expect(two[0]).toEqual(one[0]);
    expect(one.at(-1)!.content).toBe("<context>\nRECALL #1\n</context>\n\nfirst");
    // The earlier user message goes back as stored: the turn context was never kept.
    expect(two.map((m) => m.content)).toContain("first");
    expect(two.at(-1)!.content).toBe("<context>\nRECALL #2\n</context>\n\nsecond");
    expect((await history()).map((m) => m.content)).toEqual(["first", "a", "second", "b"]);
  });

  it("cancels a running tool when the caller stops reading, and reports the turn cancelled", async () => {
    const agent = await start([{ toolCalls: [{ id: "w", name: "wait", arguments: { text: "x" } }] }, { text: "never" }]);
    const controller = new AbortController();
    const events: AgentTurnEvent[] = [];
    const run = (async () => {
      for await (const event of agent.turn({ text: "wait" }, { signal: controller.signal })) {
        events.push(event);
        if (event.type === "tool.call") controller.abort();
      }
    })();
    await run;
    await kernel!.waitFor("agent.turn.failed", (p) => p.code === "ALEPH_E_CANCELLED", 5000);
    expect(seen.find((s) => s.name === "wait")!.context.signal?.aborted).toBe(true);
    expect(model!.requests).toHaveLength(1);
  });

  it("runs before-compaction hooks, awaited, before a session is summarised", async () => {
    const hooked: number[] = [];
    const memory: TestPlugin = {
      manifest: { plugin: { id: "memory-test", version: "1.0.0" }, services: { requires: ["agent"] } },
      definition: definePlugin({
        setup(ctx) {
          ctx.onDispose(ctx.services.get(agentRef).onBeforeCompaction(async ({ upToSeq }) => {
            await new Promise((r) => setTimeout(r, 50));
            hooked.push(upToSeq);
          }).dispose);
        },
      }),
    };
    const agent = await start([{ text: "summary of apples" }, { text: "answer" }], "[agent]\ncompression_threshold = 1000\n", [memory]);
    const sessions = kernel!.service(sessionsRef)!;
    for (let i = 0; i < 6; i++) await sessions.append("agent:main:main", { role: i % 2 ? "assistant" : "user", content: `${i} ${"apples and pears ".repeat(60)}` });
    const events = await turn(agent, { text: "what now?" });
    expect(last(events)).toMatchObject({ type: "turn.completed", text: "answer" });
    expect(hooked).toHaveLength(1);
    const stored = await history();
    expect(stored.find((m) => m.summaryOf)?.seq).toBe(hooked[0]);
  });

  it("answers when the summary for a compaction cannot be had, and does not try again on the next turn", async () => {
    const agent = await start([{ type: "error", status: 500 }, { text: "answered anyway" }, { text: "again" }], "[agent]\ncompression_threshold = 1000\n");
    const sessions = kernel!.service(sessionsRef)!;
    for (let i = 0; i < 6; i++) await sessions.append("agent:main:main", { role: i % 2 ? "assistant" : "user", content: `${i} ${"apples and pears ".repeat(60)}` });
    expect(last(await turn(agent, { text: "still there?" }))).toMatchObject({ type: "turn.completed", text: "answered anyway" });
    expect(last(await turn(agent, { text: "and now?" }))).toMatchObject({ type: "turn.completed", text: "again" });
    // One failed summary request, then one request per turn: no second attempt while the session has not grown.
    expect(model!.requests).toHaveLength(3);
    expect((await history()).some((m) => m.summaryOf)).toBe(false);
  });

  it("refuses an empty message, a bad agent id and a bad session key, storing nothing", async () => {
    const agent = await start([]);
    expect(last(await turn(agent, { text: "  " }))).toMatchObject({ type: "turn.failed", code: "ALEPH_E_USAGE" });
    expect(last(await turn(agent, { text: "hi", agentId: "../x" }))).toMatchObject({ type: "turn.failed", code: "ALEPH_E_INVALID_ID" });
    expect(last(await turn(agent, { text: "hi", sessionKey: "nope" }))).toMatchObject({ type: "turn.failed", code: "ALEPH_E_SESSION_KEY" });
    expect(await kernel!.service(sessionsRef)!.list()).toEqual([]);
    expect(model!.requests).toHaveLength(0);
  });
});
