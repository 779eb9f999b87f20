import { describe, expect, it } from "vitest";
import { eventually, fakeTelegram, inbox, newAdapter, startAdapter, steppedSleep } from "./support.js";

/*
 * One poller per token, and what the loop does when Telegram says no: 409 (another poller, a
 * webhook), 401, network and server errors, 429 — and stop() returning only when the loop is gone.
 */

/** A raw long poll of another program on the same token; resolves with its HTTP status. */
async function otherPoller(url: string, timeoutSeconds = 10): Promise<number> {
  const response = await fetch(`${url}?timeout=${timeoutSeconds}`);
  await response.arrayBuffer();
  return response.status;
}

describe("the telegram adapter's polling loop", () => {
  it("backs off with a growing delay when another poller takes over (409), and polls again after it", async () => {
    const telegram = await fakeTelegram();
    const sleeps = steppedSleep();
    const adapter = newAdapter(telegram, { sleep: sleeps.sleep });
    const received = inbox();
    await startAdapter(adapter, received.deliver);
    await telegram.waitForPoll();

    // Another program polls the same token: Telegram ends our long poll with 409.
    let other = otherPoller(telegram.methodUrl("getUpdates"));
    await sleeps.asked(1);
    expect(adapter.status()).toMatchObject({
      state: "reconnecting",
      error: expect.stringMatching(/^another program is polling this bot's updates \(Telegram answered 409: Conflict: terminated by other getUpdates request/),
    });
    expect(adapter.logger.lines).toContainEqual(expect.objectContaining({ level: "warn", msg: "another getUpdates took over this bot token; retrying later", fields: expect.objectContaining({ retryInMs: 1000 }) }));

    // Our retry ends the other's poll; it comes back at once and ends ours again.
    sleeps.release();
    expect(await other).toBe(409);
    other = otherPoller(telegram.methodUrl("getUpdates"));
    await sleeps.asked(2);
    expect(sleeps.delays).toEqual([1000, 2000]);

    // The other program is gone: our next poll is the only one, and messages flow.
    sleeps.release();
    expect(await other).toBe(409);
    telegram.sendUserMessage({ text: "still there?" });
    await received.received(1);
    expect(adapter.status()).toMatchObject({ state: "running" });
    expect(adapter.status().error).toBeUndefined();
    expect(sleeps.delays).toEqual([1000, 2000]);
  });

  it("never overlaps a stopped run: stop() returns when the loop has exited, and the next run sees no 409", async () => {
    const telegram = await fakeTelegram();
    const first = newAdapter(telegram);
    await startAdapter(first, inbox().deliver);
    await telegram.waitForPoll();
    await first.stop();
    expect(first.status().state).toBe("stopped");
    // Its long poll was aborted, not left waiting (the server sees the connection go).
    await eventually(() => telegram.pendingPolls() === 0, "the aborted long poll is gone");

    const sleeps = steppedSleep();
    const second = newAdapter(telegram, { sleep: sleeps.sleep });
    const received = inbox();
    await startAdapter(second, received.deliver);
    telegram.sendUserMessage({ text: "after the reload" });
    await received.received(1);
    expect(sleeps.delays).toEqual([]);
    expect(second.status()).toMatchObject({ state: "running" });
    // Had the first loop polled again after its stop, one of the two polls would have been ended with 409.
    expect(telegram.requests.filter((request) => request.status === 409)).toEqual([]);
    expect(first.status().state).toBe("stopped");
  });

  it("stop() ends a backoff wait at once", async () => {
    const telegram = await fakeTelegram();
    // A real sleep of a minute: stop() must not wait it out (the test would time out).
    const adapter = newAdapter(telegram, { sleep: undefined, backoff: { initialMs: 60_000, maxMs: 60_000 } });
    telegram.failNext("getUpdates", { error_code: 502 });
    await startAdapter(adapter, inbox().deliver);
    await eventually(() => adapter.status().state === "reconnecting", "the 502 is being retried");
    await adapter.stop();
    expect(adapter.status().state).toBe("stopped");
    expect(telegram.requests.filter((request) => request.method === "getUpdates")).toHaveLength(1);
  });

  it("retries network and server errors with a backoff from 1 s, and honours a 429's retry_after", async () => {
    const telegram = await fakeTelegram();
    const sleeps = steppedSleep();
    const adapter = newAdapter(telegram, { sleep: sleeps.sleep, pollTimeoutSeconds: 1 });
    const received = inbox();
    telegram.failNext("getUpdates", { error_code: 502, times: 2 });
    await startAdapter(adapter, received.deliver);
    await sleeps.asked(1);
    expect(adapter.status()).toMatchObject({ state: "reconnecting", error: "Telegram answered 502: Bad Gateway", botName: "@aleph_test_bot" });
    sleeps.release();
    await sleeps.asked(2);
    telegram.failNext("getUpdates", { error_code: 429, retry_after: 3 });
    sleeps.release();
    await sleeps.asked(3);
    expect(sleeps.delays).toEqual([1000, 2000, 3000]);
    sleeps.release();
    telegram.sendUserMessage({ text: "through" });
    await received.received(1);
    expect(adapter.status().state).toBe("running");
  });

  it("keeps trying to reach a Bot API server that is down, starting anyway with the status reconnecting", async () => {
    const telegram = await fakeTelegram();
    const apiRoot = telegram.apiRoot;
    await telegram.close();
    const sleeps = steppedSleep();
    const adapter = newAdapter(telegram, { apiRoot, sleep: sleeps.sleep });
    await startAdapter(adapter, inbox().deliver);
    expect(adapter.status()).toMatchObject({ state: "reconnecting", error: expect.stringMatching(/^Network request for 'getMe' failed!/) });
    for (let i = 1; i <= 3; i++) {
      await sleeps.asked(i);
      sleeps.release();
    }
    await sleeps.asked(4);
    expect(sleeps.delays).toEqual([1000, 2000, 4000, 8000]);
    expect(adapter.status().error).not.toContain(telegram.token);
    await adapter.stop();
    expect(adapter.status().state).toBe("stopped");
  });

  it("fails for good on a refused token (401): start rejects, and no call is made again", async () => {
    const telegram = await fakeTelegram();
    const adapter = newAdapter(telegram, { token: "999:AAwrongwrongwrongwrongwrong" });
    const error = await startAdapter(adapter, inbox().deliver).catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ code: "ALEPH_E_TELEGRAM_AUTH", message: expect.stringContaining("Telegram refused the bot token (Telegram answered 401: Unauthorized)"), fix: expect.stringContaining("@BotFather") });
    expect(adapter.status()).toMatchObject({ state: "failed", error: expect.stringContaining("401") });
    const calls = telegram.requests.length;
    await expect(startAdapter(adapter, inbox().deliver)).rejects.toMatchObject({ code: "ALEPH_E_TELEGRAM_AUTH" });
    await expect(adapter.send("1001", "hi")).rejects.toMatchObject({ code: "ALEPH_E_TELEGRAM_AUTH" });
    expect(telegram.requests.length).toBe(calls);
    await adapter.stop();
    expect(adapter.status().state).toBe("failed");
  });

  it("stops polling when the token is revoked while it runs (401)", async () => {
    const telegram = await fakeTelegram();
    const adapter = newAdapter(telegram);
    await startAdapter(adapter, inbox().deliver);
    await telegram.waitForPoll();
    telegram.failNext("getUpdates", { error_code: 401 });
    telegram.sendUserMessage({ text: "wakes the poll" });
    await eventually(() => adapter.status().state === "failed", "the adapter failed");
    const calls = telegram.requests.length;
    await adapter.stop();
    expect(adapter.status()).toMatchObject({ state: "failed", error: expect.stringContaining("until its config changes") });
    expect(telegram.requests.length).toBe(calls);
  });

  it("deletes a webhook that blocks long polling (409), once, and polls", async () => {
    const telegram = await fakeTelegram();
    await fetch(telegram.methodUrl("setWebhook"), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ url: "https://example.com/hook" }) });
    const adapter = newAdapter(telegram);
    const received = inbox();
    await startAdapter(adapter, received.deliver);
    telegram.sendUserMessage({ text: "via polling" });
    await received.received(1);
    expect(telegram.requests.filter((request) => request.method === "deleteWebhook")).toHaveLength(1);
    expect(adapter.logger.lines).toContainEqual(expect.objectContaining({ level: "warn", msg: "the bot had a webhook set, which blocks long polling: it was deleted" }));
  });
});
