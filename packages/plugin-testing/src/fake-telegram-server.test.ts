import { Bot, GrammyError, InputFile } from "grammy";
import { afterEach, describe, expect, it } from "vitest";
import { startFakeTelegramServer, type FakeTelegramServer, type TelegramUpdate } from "./fake-telegram-server.js";

/*
 * The fake's fidelity is checked with a real Bot API client: grammY, pointed at the fake through
 * `client.apiRoot`, the way Aleph's telegram plugin will run in its tests. Raw fetch covers the
 * shapes a client library would hide.
 */

let server: FakeTelegramServer | undefined;
const bots: Bot[] = [];

afterEach(async () => {
  for (const bot of bots.splice(0)) if (bot.isRunning()) await bot.stop().catch(() => {});
  await server?.close();
  server = undefined;
});

async function start(options?: Parameters<typeof startFakeTelegramServer>[0]): Promise<FakeTelegramServer> {
  server = await startFakeTelegramServer(options);
  return server;
}

function newBot(telegram: FakeTelegramServer): Bot {
  const bot = new Bot(telegram.token, { client: { apiRoot: telegram.apiRoot } });
  bots.push(bot);
  return bot;
}

/** Raw call of a method: status, body and headers as the wire has them. */
async function call(telegram: FakeTelegramServer, method: string, params?: Record<string, unknown>, init: { token?: string } = {}) {
  const url = `${telegram.apiRoot}/bot${init.token ?? telegram.token}/${method}`;
  const response = await fetch(url, params ? { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(params) } : {});
  return { status: response.status, headers: response.headers, body: (await response.json()) as { ok: boolean; result?: unknown; error_code?: number; description?: string; parameters?: Record<string, number> } };
}

const updatesOf = (body: { result?: unknown }) => body.result as TelegramUpdate[];

async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("startFakeTelegramServer with grammY", () => {
  it("answers getMe with the bot of the token", async () => {
    const telegram = await start({ token: "123456:TEST-token", bot: { username: "aleph_helper_bot" } });
    const bot = newBot(telegram);
    const me = await bot.api.getMe();
    expect(me).toEqual(telegram.bot);
    expect(me).toMatchObject({ id: 123456, is_bot: true, username: "aleph_helper_bot", can_join_groups: true });
    await bot.init();
    expect(bot.botInfo.username).toBe("aleph_helper_bot");
  });

  it("delivers a user message to a long-polling bot, takes its reply, and confirms the offset when the bot stops", async () => {
    const telegram = await start();
    const bot = newBot(telegram);
    bot.on("message:text", (ctx) => ctx.reply(`echo: ${ctx.message.text}`, { reply_parameters: { message_id: ctx.message.message_id } }));
    const running = bot.start();
    await telegram.waitForPoll();

    const update = telegram.sendUserMessage({ text: "hello" });
    const sent = await telegram.waitForSent();
    expect(sent).toMatchObject({ chatId: 1001, text: "echo: hello", messageId: 2, edits: 0 });
    expect(sent.message).toMatchObject({
      message_id: 2,
      from: { id: telegram.bot.id, is_bot: true, username: telegram.bot.username },
      chat: { id: 1001, type: "private", first_name: "Ada" },
      reply_to_message: { message_id: update.message!.message_id, text: "hello" },
    });
    expect(update.message!.message_id).toBe(1);
    expect(telegram.requests.map((request) => request.method)).toEqual(expect.arrayContaining(["getMe", "deleteWebhook", "getUpdates", "sendMessage"]));

    await bot.stop();
    await running;
    expect(telegram.confirmedOffset()).toBe(update.update_id + 1);
    expect(telegram.queuedUpdates()).toEqual([]);

    // A bot started again on the same token does not get the confirmed update again.
    const restarted = newBot(telegram);
    const received: string[] = [];
    restarted.on("message:text", (ctx) => void received.push(ctx.message.text));
    const runningAgain = restarted.start();
    await telegram.waitForPoll();
    const second = telegram.sendUserMessage({ text: "again" });
    expect(second.update_id).toBe(update.update_id + 1);
    await until(() => received.length > 0);
    await restarted.stop();
    await runningAgain;
    expect(received).toEqual(["again"]);
  });

  it("terminates the earlier long poll with 409 when a second bot polls the same token", async () => {
    const telegram = await start();
    const first = newBot(telegram);
    const firstRunning = first.start();
    await telegram.waitForPoll();

    const second = newBot(telegram);
    const received: string[] = [];
    second.on("message:text", (ctx) => void received.push(ctx.message.text));
    const secondRunning = second.start();
    const error = await firstRunning.then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(GrammyError);
    expect(error).toMatchObject({
      method: "getUpdates",
      error_code: 409,
      description: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
    });
    // The second bot is the one polling now.
    await until(() => telegram.pendingPolls() === 1);
    telegram.sendUserMessage({ text: "to the survivor" });
    await until(() => received.length > 0);
    await second.stop();
    await secondRunning;
    expect(telegram.requests.filter((request) => request.status === 409)).toHaveLength(1);
  });

  it("refuses a message longer than 4096 code points with 400 'message is too long'", async () => {
    const telegram = await start({ chats: [{ id: 1001, type: "private", first_name: "Ada" }] });
    const bot = newBot(telegram);
    await expect(bot.api.sendMessage(1001, "x".repeat(4097))).rejects.toMatchObject({
      name: "GrammyError",
      error_code: 400,
      description: "Bad Request: message is too long",
    });
    expect((await bot.api.sendMessage(1001, "x".repeat(4096))).text).toHaveLength(4096);
    // Telegram counts code points, not UTF-16 units: 4096 emoji fit.
    expect((await bot.api.sendMessage(1001, "😀".repeat(4096))).text).toHaveLength(8192);
    await expect(bot.api.sendMessage(1001, "😀".repeat(4097))).rejects.toMatchObject({ error_code: 400 });
    await expect(bot.api.sendMessage(1001, "   ")).rejects.toMatchObject({ description: "Bad Request: message must be non-empty" });
    await expect(bot.api.sendMessage(4242, "hi")).rejects.toMatchObject({ description: "Bad Request: chat not found" });
    expect(telegram.sentMessages()).toHaveLength(2);
  });

  it("answers an injected 429 with parameters.retry_after and a Retry-After header, then works again", async () => {
    const telegram = await start({ chats: [{ id: 1001, type: "private", first_name: "Ada" }] });
    const bot = newBot(telegram);
    telegram.failNext("sendMessage", { error_code: 429, retry_after: 1 });
    const error = await bot.api.sendMessage(1001, "hi").catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(GrammyError);
    expect(error).toMatchObject({ error_code: 429, description: "Too Many Requests: retry after 1", parameters: { retry_after: 1 } });
    expect((await bot.api.sendMessage(1001, "hi")).text).toBe("hi");

    telegram.failNext("sendMessage", { error_code: 500, times: 2 });
    const raw = await call(telegram, "sendMessage", { chat_id: 1001, text: "x" });
    expect(raw).toMatchObject({ status: 500, body: { ok: false, error_code: 500, description: "Internal Server Error" } });
    await expect(bot.api.sendMessage(1001, "x")).rejects.toMatchObject({ error_code: 500 });
    telegram.failNext("sendMessage", { error_code: 429, retry_after: 3 });
    const limited = await call(telegram, "sendMessage", { chat_id: 1001, text: "x" });
    expect(limited.headers.get("retry-after")).toBe("3");
    expect(limited.body.parameters).toEqual({ retry_after: 3 });
  });

  it("applies parse modes as Telegram does and refuses bad markup with its own errors", async () => {
    const telegram = await start({ chats: [{ id: 1001, type: "private", first_name: "Ada" }] });
    const bot = newBot(telegram);
    const html = await bot.api.sendMessage(1001, '<b>bold</b> &lt;x&gt; <a href="https://example.com">site</a>', { parse_mode: "HTML" });
    expect(html.text).toBe("bold <x> site");
    expect(html.entities).toEqual([
      { type: "bold", offset: 0, length: 4 },
      { type: "text_link", offset: 9, length: 4, url: "https://example.com/" },
    ]);
    const markdown = await bot.api.sendMessage(1001, "*bold* and `code` \\.", { parse_mode: "MarkdownV2" });
    expect(markdown.text).toBe("bold and code .");
    expect(markdown.entities).toEqual([
      { type: "bold", offset: 0, length: 4 },
      { type: "code", offset: 9, length: 4 },
    ]);
    await expect(bot.api.sendMessage(1001, "Hello.", { parse_mode: "MarkdownV2" })).rejects.toMatchObject({
      error_code: 400,
      description: "Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the preceding '\\'",
    });
    await expect(bot.api.sendMessage(1001, "<p>para</p>", { parse_mode: "HTML" })).rejects.toMatchObject({
      description: 'Bad Request: can\'t parse entities: Unsupported start tag "p" at byte offset 0',
    });
    await expect(bot.api.sendMessage(1001, "é *open", { parse_mode: "MarkdownV2" })).rejects.toMatchObject({
      description: "Bad Request: can't parse entities: Can't find end of Bold entity at byte offset 3",
    });
    // The parse mode's markup does not count towards the 4096.
    expect((await bot.api.sendMessage(1001, `<b>${"x".repeat(4096)}</b>`, { parse_mode: "HTML" })).text).toHaveLength(4096);
    // Plain text gets the entities Telegram finds, trimmed.
    const plain = await bot.api.sendMessage(1001, "  see https://example.com/docs. #news /help  ");
    expect(plain.text).toBe("see https://example.com/docs. #news /help");
    expect(plain.entities).toEqual([
      { type: "url", offset: 4, length: 24 },
      { type: "hashtag", offset: 30, length: 5 },
      { type: "bot_command", offset: 36, length: 5 },
    ]);
  });

  it("edits a sent message, records chat actions and stores the bot's commands per scope", async () => {
    const telegram = await start();
    const bot = newBot(telegram);
    bot.on("message:text", async (ctx) => {
      await ctx.replyWithChatAction("typing");
      const draft = await ctx.reply("thinking…");
      await ctx.api.editMessageText(ctx.chat.id, draft.message_id, "done");
    });
    const running = bot.start();
    await telegram.waitForPoll();
    telegram.sendUserMessage({ text: "go", chat: { id: -100123, type: "supergroup", title: "Team" }, from: { id: 7, first_name: "Bo" } });
    const edited = await telegram.waitForSent((message) => message.edits === 1);
    expect(edited).toMatchObject({ chatId: -100123, text: "done", message: { text: "done", chat: { id: -100123, type: "supergroup", title: "Team" } } });
    expect(edited.message.edit_date).toEqual(expect.any(Number));
    expect(telegram.chatActions()).toMatchObject([{ chatId: -100123, action: "typing" }]);
    await bot.stop();
    await running;

    await expect(bot.api.editMessageText(-100123, edited.messageId, "done")).rejects.toMatchObject({
      description: expect.stringMatching(/^Bad Request: message is not modified/),
    });
    await expect(bot.api.editMessageText(-100123, 1, "mine?")).rejects.toMatchObject({ description: "Bad Request: message can't be edited" });
    await expect(bot.api.editMessageText(-100123, 99, "where")).rejects.toMatchObject({ description: "Bad Request: message to edit not found" });
    await expect(bot.api.sendChatAction(-100123, "dancing" as "typing")).rejects.toMatchObject({ description: "Bad Request: wrong parameter action in request" });

    await bot.api.setMyCommands([{ command: "/help", description: " Shows help " }]);
    await bot.api.setMyCommands([{ command: "admin", description: "Admin things" }], { scope: { type: "all_chat_administrators" } });
    expect(await bot.api.getMyCommands()).toEqual([{ command: "help", description: "Shows help" }]);
    expect(await bot.api.getMyCommands({ scope: { type: "all_chat_administrators" } })).toEqual([{ command: "admin", description: "Admin things" }]);
    expect(telegram.myCommands()).toEqual([{ command: "help", description: "Shows help" }]);
    await expect(bot.api.setMyCommands([{ command: "Help", description: "x" }])).rejects.toMatchObject({ description: "Bad Request: BOT_COMMAND_INVALID" });
    await bot.api.deleteMyCommands();
    expect(await bot.api.getMyCommands()).toEqual([]);
  });

  it("gives a user's group message the entities Telegram finds, a mention of the bot included", async () => {
    const telegram = await start();
    const bot = newBot(telegram);
    let seen: { text: string; mentions: string[] } | undefined;
    bot.on("message:entities:mention", (ctx) => {
      seen = { text: ctx.message.text ?? "", mentions: ctx.entities("mention").map((entity) => entity.text) };
    });
    const running = bot.start();
    await telegram.waitForPoll();
    const update = telegram.sendUserMessage({
      text: "@aleph_test_bot what does /status@aleph_test_bot say?",
      chat: { id: -42, type: "group", title: "Friends" },
    });
    expect(update.message?.entities).toEqual([
      { type: "mention", offset: 0, length: 15 },
      { type: "bot_command", offset: 26, length: 22 },
    ]);
    await until(() => seen !== undefined);
    expect(seen?.mentions).toEqual(["@aleph_test_bot"]);
    await bot.stop();
    await running;
  });
});

describe("startFakeTelegramServer on the wire", () => {
  it("answers a wrong token with 401 and unknown methods and paths with 404, in the Bot API's shape", async () => {
    const telegram = await start();
    const wrong = await call(telegram, "getMe", undefined, { token: "999:nope" });
    expect(wrong).toMatchObject({ status: 401, body: { ok: false, error_code: 401, description: "Unauthorized" } });
    const unknown = await call(telegram, "sendTelepathy", { chat_id: 1 });
    expect(unknown).toMatchObject({ status: 404, body: { ok: false, error_code: 404, description: "Not Found" } });
    const path = await fetch(`${telegram.apiRoot}/nothing/here`);
    expect(path.status).toBe(404);
    expect(await path.json()).toEqual({ ok: false, error_code: 404, description: "Not Found" });
    const me = await fetch(telegram.methodUrl("GETME"));
    expect(await me.json()).toEqual({ ok: true, result: telegram.bot });
    expect(telegram.requests.map((request) => [request.method, request.status])).toEqual([
      ["getMe", 401],
      ["sendTelepathy", 404],
      ["GETME", 200],
    ]);
  });

  it("answers an empty long poll with [] after its timeout", async () => {
    const telegram = await start();
    const started = Date.now();
    const answer = fetch(`${telegram.methodUrl("getUpdates")}?timeout=1`).then((response) => response.json());
    await telegram.waitForPoll();
    expect(telegram.pendingPolls()).toBe(1);
    expect(await answer).toEqual({ ok: true, result: [] });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(telegram.pendingPolls()).toBe(0);
  });

  it("answers a waiting long poll as soon as an update arrives", async () => {
    const telegram = await start();
    const started = Date.now();
    const answer = call(telegram, "getUpdates", { timeout: 10 });
    await telegram.waitForPoll();
    const update = telegram.sendUserMessage({ text: "wake up" });
    const { body } = await answer;
    expect(updatesOf(body)).toEqual([update]);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("confirms every update below the offset, honours limit and negative offsets, and reads a future offset from the head", async () => {
    const telegram = await start({ firstUpdateId: 500 });
    const [a, b, c] = ["one", "two", "three"].map((text) => telegram.sendUserMessage({ text }));
    expect([a!.update_id, b!.update_id, c!.update_id]).toEqual([500, 501, 502]);

    expect(updatesOf((await call(telegram, "getUpdates", {})).body).map((u) => u.update_id)).toEqual([500, 501, 502]);
    // Reading does not confirm: the same updates come again.
    expect(updatesOf((await call(telegram, "getUpdates", { limit: 2 })).body).map((u) => u.update_id)).toEqual([500, 501]);
    // An offset confirms everything below it, whatever the limit.
    expect(updatesOf((await call(telegram, "getUpdates", { offset: 501, limit: 1 })).body).map((u) => u.update_id)).toEqual([501]);
    expect(telegram.confirmedOffset()).toBe(501);
    expect(telegram.queuedUpdates().map((u) => u.update_id)).toEqual([501, 502]);
    // An offset far in the future is not trusted: Telegram answers from the head and forgets nothing.
    expect(updatesOf((await call(telegram, "getUpdates", { offset: 9999 })).body).map((u) => u.update_id)).toEqual([501, 502]);
    // A negative offset keeps only the last -offset updates.
    expect(updatesOf((await call(telegram, "getUpdates", { offset: -1 })).body).map((u) => u.update_id)).toEqual([502]);
    expect(telegram.queuedUpdates().map((u) => u.update_id)).toEqual([502]);
    expect(updatesOf((await call(telegram, "getUpdates", { offset: 503 })).body)).toEqual([]);
    expect(telegram.queuedUpdates()).toEqual([]);
    expect(telegram.sendUserMessage({ text: "four" }).update_id).toBe(503);
  });

  it("keeps one long poll per token: a new one terminates the waiting one with 409, a short poll does not", async () => {
    const telegram = await start();
    const first = call(telegram, "getUpdates", { timeout: 10 });
    await telegram.waitForPoll();
    // A short poll with nothing to wait for is answered at once and leaves the long poll waiting.
    expect((await call(telegram, "getUpdates", { timeout: 0 })).body).toEqual({ ok: true, result: [] });
    expect(telegram.pendingPolls()).toBe(1);

    const second = call(telegram, "getUpdates", { timeout: 1 });
    expect(await first).toMatchObject({
      status: 409,
      body: { ok: false, error_code: 409, description: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running" },
    });
    expect(telegram.pendingPolls()).toBe(1);
    expect((await second).body).toEqual({ ok: true, result: [] });
  });

  it("paces 409s like the Bot API server when conflictDelayMs is set", async () => {
    const telegram = await start({ conflictDelayMs: 300 });
    const first = call(telegram, "getUpdates", { timeout: 10 });
    await telegram.waitForPoll();
    const second = call(telegram, "getUpdates", { timeout: 10 });
    expect((await first).status).toBe(409);
    await until(() => telegram.pendingPolls() === 1);
    const terminated = Date.now();
    const third = call(telegram, "getUpdates", { timeout: 1 });
    // The second poll is terminated at once but answered only after the delay: one 409 per 300 ms.
    expect((await second).status).toBe(409);
    expect(Date.now() - terminated).toBeGreaterThanOrEqual(250);
    expect((await third).body).toEqual({ ok: true, result: [] });
  });

  it("creates no update of a type allowed_updates leaves out, and remembers the last allowed_updates", async () => {
    const telegram = await start();
    await call(telegram, "getUpdates", { allowed_updates: ["callback_query"] });
    expect(telegram.sendUserMessage({ text: "ignored" }).update_id).toBe(0);
    const query = telegram.pushUpdate({ callback_query: { id: "q1", from: { id: 1001, is_bot: false, first_name: "Ada" }, chat_instance: "c", data: "yes" } });
    // allowed_updates left out: the last list stays.
    expect(updatesOf((await call(telegram, "getUpdates", {})).body)).toEqual([query]);
    expect(telegram.sendUserMessage({ text: "still ignored" }).update_id).toBe(0);
    // [] is the default again: everything but chat_member and the reactions.
    await call(telegram, "getUpdates", { offset: query.update_id + 1, allowed_updates: [] });
    expect(telegram.sendUserMessage({ text: "seen" }).update_id).toBe(query.update_id + 1);
    expect(telegram.pushUpdate({ chat_member: {} }).update_id).toBe(0);
  });

  it("reads GET queries and form bodies with JSON-valued fields, and answers replies to missing messages with 400", async () => {
    const telegram = await start();
    const first = telegram.sendUserMessage({ text: "question" });
    const form = new URLSearchParams({ chat_id: "1001", text: "answer", reply_parameters: JSON.stringify({ message_id: first.message!.message_id }) });
    const response = await fetch(telegram.methodUrl("sendMessage"), { method: "POST", body: form });
    const body = (await response.json()) as { result: { reply_to_message: { text: string } } };
    expect(body.result.reply_to_message.text).toBe("question");
    expect(telegram.requests.at(-1)?.params).toEqual({ chat_id: "1001", text: "answer", reply_parameters: { message_id: 1 } });

    const missing = await fetch(`${telegram.methodUrl("sendMessage")}?chat_id=1001&text=x&reply_to_message_id=77`);
    expect(await missing.json()).toEqual({ ok: false, error_code: 400, description: "Bad Request: message to be replied not found" });
    const allowed = await call(telegram, "sendMessage", { chat_id: 1001, text: "x", reply_parameters: { message_id: 77, allow_sending_without_reply: true } });
    expect(allowed.body.ok).toBe(true);
    expect(await call(telegram, "sendMessage", { text: "x" })).toMatchObject({ status: 400, body: { description: "Bad Request: chat_id is empty" } });
    expect(await call(telegram, "sendMessage", { chat_id: 1001 })).toMatchObject({ status: 400, body: { description: "Bad Request: message text is empty" } });
  });

  it("refuses getUpdates while a webhook is set and terminates a waiting poll when one is set", async () => {
    const telegram = await start();
    expect((await call(telegram, "deleteWebhook", {})).body).toEqual({ ok: true, result: true, description: "Webhook is already deleted" });
    const waiting = call(telegram, "getUpdates", { timeout: 10 });
    await telegram.waitForPoll();
    expect((await call(telegram, "setWebhook", { url: "https://example.com/hook" })).body).toEqual({ ok: true, result: true, description: "Webhook was set" });
    expect((await waiting).body).toMatchObject({ error_code: 409, description: "Conflict: terminated by setWebhook request" });
    expect((await call(telegram, "getUpdates", {})).body).toMatchObject({
      error_code: 409,
      description: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
    });
    expect((await call(telegram, "getWebhookInfo")).body.result).toMatchObject({ url: "https://example.com/hook", pending_update_count: 0 });
    expect((await call(telegram, "deleteWebhook", {})).body).toEqual({ ok: true, result: true, description: "Webhook was deleted" });
    expect((await call(telegram, "getUpdates", {})).body).toEqual({ ok: true, result: [] });
  });

  it("reads grammY's multipart uploads: fields as text, files by name and size", async () => {
    const telegram = await start();
    telegram.handle("sendDocument", (params) => ({ message_id: 1, date: 0, chat: { id: Number(params.chat_id), type: "private" }, caption: params.caption }));
    const bot = newBot(telegram);
    const message = await bot.api.sendDocument(1001, new InputFile(Buffer.from("hello file"), "notes.txt"), { caption: "the notes", reply_parameters: { message_id: 3 } });
    expect(message.caption).toBe("the notes");
    const { params } = await telegram.waitForRequest("sendDocument");
    expect(params).toMatchObject({ chat_id: "1001", caption: "the notes", reply_parameters: { message_id: 3 } });
    const document = String(params.document);
    expect(document).toMatch(/^attach:\/\//);
    expect(params[document.slice("attach://".length)]).toEqual({ filename: "notes.txt", contentType: "application/octet-stream", size: 10 });
  });

  it("lets a test add methods, and close() answers a waiting long poll", async () => {
    const telegram = await start();
    telegram.handle("getChat", (params) => ({ id: Number(params.chat_id), type: "private", first_name: "Ada" }));
    expect((await call(telegram, "getChat", { chat_id: 5 })).body).toEqual({ ok: true, result: { id: 5, type: "private", first_name: "Ada" } });
    telegram.handle("sendPhoto", () => {
      throw { error_code: 403, description: "Forbidden: bot was blocked by the user" };
    });
    expect(await call(telegram, "sendPhoto", { chat_id: 5 })).toMatchObject({ status: 403, body: { ok: false, error_code: 403 } });

    const waiting = call(telegram, "getUpdates", { timeout: 30 });
    await telegram.waitForPoll();
    await telegram.close();
    expect((await waiting).body).toEqual({ ok: true, result: [] });
    server = undefined;
  });
});
