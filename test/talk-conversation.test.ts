/*
 * `aleph talk` as a conversation on a real terminal: the CLI runs under `script` (util-linux), which
 * gives it a pseudo-terminal, and the test types into it. Without a running kernel the conversation
 * is the root's kernel while it lasts: another command reaches it over the control socket. Ctrl-C
 * cancels the running turn and the conversation goes on; /exit leaves.
 */
import { spawn, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, test } from "vitest";
import { startFakeModelServer, type FakeModelServer } from "@aleph/testing";
import { createWorkspace, eventually, runCliJson, type Workspace } from "./support/aleph.js";

const CLI = resolve(fileURLToPath(new URL(".", import.meta.url)), "../apps/cli/dist/aleph.js");
const hasScript = spawnSync("script", ["--version"]).status === 0;
let model: FakeModelServer | undefined;
afterEach(async () => {
  await model?.close();
  model = undefined;
});

/** `aleph talk` under `script` (a pseudo-terminal), talking to `model`: what it shows, typing into it. */
function talkOnTerminal(ws: Workspace, server: FakeModelServer) {
  writeFileSync(join(ws.root, "providers.toml"), `[providers.local]\nprotocol = "openai"\nmodel = "fake-model"\nbase_url = "${server.baseUrls.openai}"\n`, { mode: 0o600 });
  const child = spawn("script", ["-qec", `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} talk`, "/dev/null"], { cwd: ws.cwd, env: { ...ws.env, TERM: "dumb" }, stdio: ["pipe", "pipe", "pipe"] });
  let text = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
  const exited = new Promise<number | null>((resolvePromise) => child.on("exit", resolvePromise));
  return { child, screen: () => text, exited, type: (keys: string) => child.stdin.write(keys) };
}

describe.skipIf(!hasScript)("aleph talk on a terminal", () => {
  test("answers line by line, serves other commands meanwhile, cancels a turn on Ctrl-C and goes on, leaves on /exit", async () => {
    const ws = createWorkspace();
    model = await startFakeModelServer([{ text: "Hi there." }, { text: "never shown", firstTokenDelayMs: 10_000 }, { text: "After the cancel." }]);
    const { child, screen, exited, type } = talkOnTerminal(ws, model);
    try {
      await eventually(() => expect(screen()).toContain("Talking to main in agent:main:main"), 20_000);
      type("hello\r");
      await eventually(() => expect(screen()).toContain("Hi there."), 15_000);

      // The conversation's kernel is the root's kernel: another command reaches it.
      const sessions = await runCliJson<{ key: string; messageCount: number }[]>(ws, ["sessions", "list", "--json"]);
      expect(sessions).toEqual([expect.objectContaining({ key: "agent:main:main", messageCount: 2 })]);

      type("take your time\r");
      await eventually(() => expect(model!.requests).toHaveLength(2), 10_000);
      type("\x03");
      await eventually(() => expect(screen()).toContain("(turn cancelled)"), 10_000);
      type("again\r");
      await eventually(() => expect(screen()).toContain("After the cancel."), 15_000);
      type("/exit\r");
      expect(await exited).toBe(0);
    } finally {
      child.kill("SIGKILL");
    }
    expect(screen()).not.toContain("never shown");
    const stored = await runCliJson<{ messages: { role: string; content: string }[] }>(ws, ["sessions", "show", "agent:main:main", "--json"]);
    expect(stored.messages.map((m) => [m.role, m.content])).toEqual([
      ["user", "hello"],
      ["assistant", "Hi there."],
      ["user", "take your time"],
      ["user", "again"],
      ["assistant", "After the cancel."],
    ]);
  });

  test("asks a tool's approval inline: a line that is no answer asks again, y runs the command, n gives the model the denial", async () => {
    const ws = createWorkspace();
    writeFileSync(join(ws.root, "config.toml"), '[tools.shell]\napproval = "always"\n');
    model = await startFakeModelServer([
      { toolCalls: [{ id: "a1", name: "shell", arguments: { command: "echo approved-in-conversation" } }] },
      { text: "It ran." },
      { toolCalls: [{ id: "a2", name: "shell", arguments: { command: "echo refused-in-conversation" } }] },
      { text: "It was refused." },
    ]);
    const { child, screen, exited, type } = talkOnTerminal(ws, model);
    const toolResult = (request: number, id: string) =>
      ((model!.requests[request]!.body.messages as { tool_call_id?: string; content: string }[]).find((m) => m.tool_call_id === id)?.content ?? "");
    try {
      await eventually(() => expect(screen()).toContain("Talking to main in agent:main:main"), 20_000);
      type("run the first\r");
      await eventually(() => expect(screen()).toMatch(/\[approval [0-9a-f]{8}\] shell: run `echo approved-in-conversation`[\s\S]*allow\?/), 15_000);
      type("maybe\r");
      await eventually(() => expect(screen().match(/allow\?/g)).toHaveLength(2), 10_000);
      type("y\r");
      await eventually(() => expect(screen()).toContain("It ran."), 15_000);
      expect(toolResult(1, "a1")).toContain("approved-in-conversation");

      type("run the second\r");
      await eventually(() => expect(screen().match(/allow\?/g)).toHaveLength(3), 15_000);
      type("n\r");
      await eventually(() => expect(screen()).toContain("It was refused."), 15_000);
      expect(toolResult(3, "a2")).toMatch(/^error: .*denied/);
      type("/exit\r");
      expect(await exited).toBe(0);
    } finally {
      child.kill("SIGKILL");
    }
  });
});
