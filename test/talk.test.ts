/*
 * `aleph talk` end to end: the real CLI, the bundled agent and providers plugins, a fake model
 * server on 127.0.0.1 speaking the OpenAI wire format (the test kit's scripted one), and real tools
 * (hello-wasm's word_count, hello-node's in another test). Nothing of ours is mocked.
 */
import { cpSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, test } from "vitest";
import { type FakeTurn } from "@aleph/testing";
import { fakeModel, openaiProvider, writeProviders } from "./support/model.js";
import { createWorkspace, runCli, runCliJson, startReadyKernel, type Workspace } from "./support/aleph.js";

const examples = resolve(fileURLToPath(new URL(".", import.meta.url)), "../plugins/examples");

function withPlugin(ws: Workspace, example: string): void {
  cpSync(join(examples, example), join(ws.userDir, example), { recursive: true, filter: (src) => !src.includes("node_modules") && !src.includes("/test") });
}

const wordCountTurns: FakeTurn[] = [{ toolCalls: [{ id: "call_1", name: "word_count", arguments: { text: "one two three" } }] }, { text: "The text has 3 words." }];

function sessionMessages(ws: Workspace, key: string) {
  return runCliJson(ws, ["sessions", "show", key, "--json"]).then((s: { messages: { role: string; content: unknown; name?: string; meta?: Record<string, unknown> }[] }) => s.messages);
}

describe("aleph talk", () => {
  test("a model that asks for a WASM tool, then answers from its result: the reply is printed and the session holds every step, in order", async () => {
    const ws = createWorkspace();
    withPlugin(ws, "hello-wasm");
    const model = await fakeModel(wordCountTurns);
    writeProviders(ws, openaiProvider("local", model));
    const result = await runCli(ws, ["talk", "-m", "How many words in: one two three?"], { timeoutMs: 30_000 });
    expect(result.stderr).toMatch(/\[tool word_count \{"text":"one two three"\}\]/);
    expect(result.stdout).toBe("The text has 3 words.\n");
    expect(result.code).toBe(0);

    const messages = await sessionMessages(ws, "agent:main:main");
    expect(messages.map((m) => m.role)).toEqual(["user", "assistant", "tool", "assistant"]);
    expect(messages[0]!.content).toBe("How many words in: one two three?");
    expect(messages[1]!.meta?.toolCalls).toEqual([{ id: "call_1", name: "word_count", arguments: { text: "one two three" } }]);
    expect(messages[2]).toMatchObject({ name: "word_count", content: '{"count":3}', meta: { toolCallId: "call_1" } });
    expect(messages[3]!.content).toBe("The text has 3 words.");

    // What the model was sent: the tool offered with its schema, then the tool's result in the second request.
    const [first, second] = model.requests;
    expect((first!.body.tools as { function: { name: string } }[]).map((t) => t.function.name)).toContain("word_count");
    expect(second!.body.messages).toContainEqual(expect.objectContaining({ role: "tool", tool_call_id: "call_1", content: '{"count":3}' }));
    // The system prompt is never stored as a session message.
    expect(messages.some((m) => m.role === "system")).toBe(false);
  });

  test("a Node tool from a user plugin, through the running kernel, with --json events", async () => {
    const ws = createWorkspace();
    withPlugin(ws, "hello-node");
    const model = await fakeModel(wordCountTurns);
    writeProviders(ws, openaiProvider("local", model));
    const kernel = await startReadyKernel(ws);
    await kernel.waitForEvent("plugin.loaded", (p) => p.id === "hello-node");
    const mark = kernel.mark();
    const result = await runCli(ws, ["talk", "-m", "count: one two three", "--json", "--session", "agent:main:cli:dm:tester"], { timeoutMs: 30_000 });
    expect(result.code).toBe(0);
    const events = result.stdout.trim().split("\n").map((line) => JSON.parse(line) as { type: string; [k: string]: unknown });
    expect(events.map((e) => e.type)).toEqual(["turn.started", "tool.call", "tool.result", ...events.slice(3, -1).map(() => "text"), "turn.completed"]);
    expect(events[2]).toMatchObject({ name: "word_count", ok: true, content: '{"count":3}' });
    expect(events.at(-1)).toMatchObject({ type: "turn.completed", text: "The text has 3 words.", iterations: 2, provider: "local", model: "fake-model" });
    // The kernel's bus saw the turn.
    await kernel.waitForEvent("agent.turn.completed", (p) => p.sessionKey === "agent:main:cli:dm:tester", 10_000, mark);
    expect(kernel.eventsSince(mark, "agent.tool.called")[0]!.payload).toMatchObject({ name: "word_count", ok: true });
    const messages = await sessionMessages(ws, "agent:main:cli:dm:tester");
    expect(messages.map((m) => m.role)).toEqual(["user", "assistant", "tool", "assistant"]);
  });

  test("failover: the first provider answers 503 every time, the second answers; agent.log says why it moved on", async () => {
    const ws = createWorkspace();
    const down = await fakeModel([503, 503, 503, 503].map((status): FakeTurn => ({ type: "error", status })));
    const up = await fakeModel([{ text: "Hello from the second provider." }]);
    writeProviders(ws, openaiProvider("first", down) + openaiProvider("second", up));
    const result = await runCli(ws, ["talk", "-m", "hello"], { timeoutMs: 30_000 });
    expect(result.stdout).toBe("Hello from the second provider.\n");
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/\[first failed \(.*HTTP 503.*\); trying second\]/);
    // One try and one retry (max_retries = 1) on the provider that is down, then the next one.
    expect(down.requests).toHaveLength(2);
    const log = readFileSync(join(ws.root, "logs", "agent.log"), "utf8");
    expect(log).toMatch(/provider first failed, moving on to second: .*503/);
  });

  test("a missing or failing provider is a clear error naming it and the fix, exit 1", async () => {
    const ws = createWorkspace();
    const none = await runCli(ws, ["talk", "-m", "hello"]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/ALEPH_E_PROVIDER_NONE: no provider is configured/);
    expect(none.stderr).toMatch(/fix: add one to providers\.toml/);

    const model = await fakeModel([{ type: "error", status: 401, body: { error: { message: "Incorrect API key provided", type: "invalid_request_error" } } }]);
    writeProviders(ws, openaiProvider("local", model, 'api_key = "sk-test-not-a-real-key-123456"'));
    const denied = await runCli(ws, ["talk", "-m", "hello"]);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/aleph: ALEPH_E_PROVIDER_AUTH: local answered HTTP 401: Incorrect API key provided\n  fix: check the api_key of \[providers.local\]/);
    // The key itself never reaches the output or the logs.
    expect(denied.stderr + denied.stdout).not.toContain("sk-test-not-a-real-key-123456");
    const logs = readdirSync(join(ws.root, "logs")).map((f) => readFileSync(join(ws.root, "logs", f), "utf8")).join("\n");
    expect(logs).not.toContain("sk-test-not-a-real-key-123456");
  });

  test("the message can come from piped stdin; an empty one is refused", async () => {
    const ws = createWorkspace();
    const model = await fakeModel([{ text: "Piped and answered." }]);
    writeProviders(ws, openaiProvider("local", model));
    const piped = await runCli(ws, ["talk"], { input: "from a pipe\n" });
    expect(piped.stdout).toBe("Piped and answered.\n");
    expect((model.requests[0]!.body.messages as { role: string; content: string }[]).at(-1)).toEqual({ role: "user", content: "from a pipe\n" });
    const empty = await runCli(ws, ["talk"], { input: "  \n" });
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/the message is empty/);
  });
  test("through a running kernel, talk loads only the agent's command handlers (commands_entry): not the agent loop, not zod", async () => {
    const ws = createWorkspace();
    const model = await fakeModel([{ text: "Quick." }]);
    writeProviders(ws, openaiProvider("local", model));
    await startReadyKernel(ws);
    const record = join(ws.base, "loaded.txt");
    writeFileSync(record, "");
    writeFileSync(join(ws.base, "recorder.mjs"), `import { appendFileSync } from "node:fs";\nexport async function load(url, context, next) { appendFileSync(${JSON.stringify(record)}, url + "\\n"); return next(url, context); }\n`);
    writeFileSync(join(ws.base, "register.mjs"), `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(join(ws.base, "recorder.mjs")).href)});\n`);
    const result = await runCli(ws, ["talk", "-m", "hi"], { env: { NODE_OPTIONS: `--import ${pathToFileURL(join(ws.base, "register.mjs")).href}` } });
    expect(result.stdout).toBe("Quick.\n");
    const loaded = readFileSync(record, "utf8").split("\n").filter(Boolean);
    expect(loaded.some((url) => /\/plugins\/agent\/dist\/commands\.js$/.test(url))).toBe(true);
    expect(loaded.filter((url) => /\/plugins\/agent\/dist\/index\.js$/.test(url) || /\/zod\//.test(url)), loaded.filter((u) => !u.includes("zod")).join("\n")).toEqual([]);
  });
});
