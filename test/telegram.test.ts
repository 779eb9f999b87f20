/*
 * The Telegram channel end to end: the real CLI (`aleph start`), the bundled channels, agent,
 * sessions and chat plugins, a fake Telegram Bot API (the test kit's, on 127.0.0.1) playing the
 * user, and a fake OpenAI-compatible model. The bot token comes from the keys vault, as the README
 * tells people to keep it. Nothing of ours is mocked.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { startFakeTelegramServer, type FakeTelegramServer } from "@aleph/testing";
import { fakeModel, openaiProvider, writeProviders } from "./support/model.js";
import { createWorkspace, eventually, runCli, runCliJson, sleep, startKernel, type Workspace } from "./support/aleph.js";
import { moduleRecorder } from "./support/module-loads.js";

const servers: FakeTelegramServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function fakeTelegram(): Promise<FakeTelegramServer> {
  const server = await startFakeTelegramServer();
  servers.push(server);
  return server;
}

/** A workspace whose [interfaces.telegram] points at the fake, the token in the vault, answering user 1001. */
async function telegramWorkspace(telegram: FakeTelegramServer): Promise<Workspace> {
  const ws = createWorkspace();
  const stored = await runCli(ws, ["keys", "set", "telegram-token"], { input: `${telegram.token}\n` });
  expect(stored.code, stored.stderr).toBe(0);
  ws.writeConfig(`[interfaces.telegram]\ntoken = "keys:telegram-token"\napi_root = "${telegram.apiRoot}"\npoll_timeout = 2\nallow_from = ["1001"]\n`);
  return ws;
}

/**
 * Waits for a long poll made after now that is past `updateId`, and a moment more: had anything
 * been delivered twice, it would have been answered by then.
 */
async function pollAfterwards(telegram: FakeTelegramServer, updateId: number): Promise<void> {
  const from = telegram.requests.length;
  await telegram.waitForRequest("getUpdates", (request) => telegram.requests.indexOf(request) >= from && Number(request.params.offset) > updateId, 15_000);
  await sleep(500);
}

interface SessionMessage {
  role: string;
  content: unknown;
}

const sessionMessages = (ws: Workspace, key: string) => runCliJson<{ messages: SessionMessage[] }>(ws, ["sessions", "show", key, "--json"]).then((session) => session.messages);

function chatLines(ws: Workspace, chatId: string): { seq: number; from: string; content: unknown }[] {
  return readFileSync(join(ws.root, "chat", "chats", `${chatId}.jsonl`), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { seq: number; from: string; content: unknown });
}

describe("the telegram channel through aleph start", () => {
  test("a user's message is answered in Telegram, the session and the chat hold the turn; a restart loses nothing and answers nothing twice", { timeout: 120_000 }, async () => {
    const telegram = await fakeTelegram();
    const model = await fakeModel([{ text: "Hello Ada, I am your agent." }, { text: "Still here." }, { text: "Yes, I am back." }]);
    const ws = await telegramWorkspace(telegram);
    writeProviders(ws, openaiProvider("local", model));
    const recorder = moduleRecorder(ws);
    let kernel = startKernel(ws, [], { env: recorder.env });
    await kernel.ready();
    await telegram.waitForPoll(15_000);
    // grammY is loaded because the channel is configured (the next test: not otherwise).
    expect(recorder.loaded().some((url) => url.includes("/node_modules/grammy/"))).toBe(true);

    telegram.sendUserMessage({ text: "Hi, who are you?" });
    const reply = await telegram.waitForSent((message) => message.chatId === 1001, 30_000);
    expect(reply.text).toBe("Hello Ada, I am your agent.");
    expect(reply.params.parse_mode).toBeUndefined();

    const messages = await sessionMessages(ws, "agent:main:telegram:dm:1001");
    expect(messages.map((message) => [message.role, message.content])).toEqual([
      ["user", "Hi, who are you?"],
      ["assistant", "Hello Ada, I am your agent."],
    ]);
    const chat = chatLines(ws, "telegram-dm-1001");
    expect(chat.map((line) => line.content)).toEqual(["Hi, who are you?", "Hello Ada, I am your agent."]);
    expect(model.requests).toHaveLength(1);

    // A change of [interfaces.telegram] restarts the channel alone, live: the old poller has
    // stopped before the new one polls (no 409), and the conversation goes on.
    ws.writeConfig(readFileSync(ws.configFile, "utf8").replace("poll_timeout = 2", "poll_timeout = 3"));
    await telegram.waitForRequest("getUpdates", (request) => request.params.timeout === 3, 15_000);
    telegram.sendUserMessage({ text: "Still with me?" });
    await telegram.waitForSent((message) => message.text === "Still here.", 30_000);
    expect(model.requests).toHaveLength(2);

    // The kernel stops while polling; a message comes while it is down.
    await kernel.stop();
    const whileDown = telegram.sendUserMessage({ text: "Are you still there?" });
    kernel = startKernel(ws);
    await kernel.ready();
    await telegram.waitForSent((message) => message.text === "Yes, I am back.", 30_000);
    await pollAfterwards(telegram, whileDown.update_id);
    const conversation = ["Hi, who are you?", "Hello Ada, I am your agent.", "Still with me?", "Still here.", "Are you still there?", "Yes, I am back."];
    expect(telegram.sentMessages(1001).map((message) => message.text)).toEqual(conversation.filter((_, index) => index % 2 === 1));
    expect(model.requests).toHaveLength(3);
    expect((await sessionMessages(ws, "agent:main:telegram:dm:1001")).map((message) => message.content)).toEqual(conversation);
    expect(chatLines(ws, "telegram-dm-1001").map((line) => line.content)).toEqual(conversation);
    // One poller at a time: neither the restarted channel nor the restarted kernel met the old poll.
    expect(telegram.requests.filter((request) => request.status === 409)).toEqual([]);
    await kernel.stop();

    // The token never reaches a log.
    const logs = ["gateway.log", "agent.log"].map((file) => {
      try {
        return readFileSync(join(ws.root, "logs", file), "utf8");
      } catch {
        return "";
      }
    });
    expect(logs.join("\n")).not.toContain(telegram.token.split(":")[1]!);
  });

  test("a kernel killed in the middle of a turn: after the restart the message is answered, once", { timeout: 120_000 }, async () => {
    const telegram = await fakeTelegram();
    // The first answer never comes (the kernel is killed while waiting for it); the restarted kernel gets the second.
    const model = await fakeModel([{ text: "never sent", firstTokenDelayMs: 60_000 }, { text: "Here is the answer." }]);
    const ws = await telegramWorkspace(telegram);
    writeProviders(ws, openaiProvider("local", model));
    let kernel = startKernel(ws);
    await kernel.ready();
    await telegram.waitForPoll(15_000);
    const question = telegram.sendUserMessage({ text: "What is the answer?" });
    await eventually(() => expect(model.requests).toHaveLength(1), 30_000, 20);
    await kernel.stop("SIGKILL");

    kernel = startKernel(ws);
    await kernel.ready();
    await telegram.waitForSent((message) => message.text === "Here is the answer.", 30_000);
    await pollAfterwards(telegram, question.update_id);
    expect(telegram.sentMessages(1001).map((message) => message.text)).toEqual(["Here is the answer."]);
    expect(model.requests).toHaveLength(2);
    const contents = (await sessionMessages(ws, "agent:main:telegram:dm:1001")).map((message) => message.content);
    expect(contents.filter((content) => content === "What is the answer?")).toHaveLength(1);
    expect(contents.at(-1)).toBe("Here is the answer.");
    expect(chatLines(ws, "telegram-dm-1001").map((line) => line.content)).toEqual(["What is the answer?", "Here is the answer."]);
    await kernel.stop();
  });

  test("a phone number in allow_from is refused by config check and fails the plugin with the reason and the fix; the kernel runs on", { timeout: 60_000 }, async () => {
    const telegram = await fakeTelegram();
    const ws = await telegramWorkspace(telegram);
    ws.writeConfig(readFileSync(ws.configFile, "utf8").replace('allow_from = ["1001"]', 'allow_from = ["+1234567890"]'));
    const check = await runCli(ws, ["config", "check"]);
    expect(check.code).toBe(1);
    expect(check.stdout + check.stderr).toMatch(/config\.toml:5: interfaces\.telegram\.allow_from\.0: .*\(plugin "telegram"\)/);

    const kernel = startKernel(ws);
    await kernel.ready();
    const failed = await kernel.waitForEvent("plugin.failed", (payload) => payload.id === "telegram");
    expect(failed.payload).toMatchObject({ code: "ALEPH_E_CONFIG" });
    expect(failed.payload.message).toMatch(/\[interfaces\.telegram\] is invalid for plugin "telegram": allow_from\.0: "\+1234567890" looks like a phone number, but Telegram never tells a bot a sender's phone number/);
    expect(failed.payload.message).toMatch(/numeric Telegram user id/);
    expect(telegram.requests).toEqual([]);
    await kernel.stop();
  });

  test("without [interfaces.telegram], aleph start never loads grammY and says once that Telegram is not configured", { timeout: 60_000 }, async () => {
    const ws = createWorkspace();
    const recorder = moduleRecorder(ws);
    const kernel = startKernel(ws, ["--no-watch"], { env: recorder.env });
    await kernel.ready();
    await kernel.stop();
    expect(recorder.loaded().filter((url) => /grammy|telegram\/dist\/runtime\.js/.test(url))).toEqual([]);
    const log = readFileSync(join(ws.root, "logs", "gateway.log"), "utf8");
    expect(log.split("\n").filter((line) => line.includes("Telegram is not configured"))).toHaveLength(1);
  });
});
