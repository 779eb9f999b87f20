/*
 * Unknown senders and pairing: a one-time code sent back once (the same code while it lasts, at most
 * one message per 10 minutes), `pair` approving it (persisted, 0600), expiry, unpairing, and a
 * pairing made by another process (`aleph interfaces pair` without a running kernel) seen by the
 * running kernel on the sender's next message. Time passing is played by editing pairing.json, as
 * another process would.
 */
import { readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { channelsRef, type AlephError } from "@aleph/plugin-sdk";
import { askedTexts, cleanup, logLine, setup } from "./kernel.js";

afterEach(cleanup);

const CODE = /\b([A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4})\b/;
const codeIn = (text: string) => CODE.exec(text)?.[1];

interface PairingFile {
  pending: { code: string; channel: string; peer: { id: string }; createdAt: number; expiresAt: number; notifiedAt: number }[];
  paired: { channel: string; peer: { id: string }; pairedAt: number }[];
}
const pairingFile = (root: string) => join(root, "data", "channels", "pairing.json");
const readPairing = (root: string) => JSON.parse(readFileSync(pairingFile(root), "utf8")) as PairingFile;
/** Rewrites the file as another process would (a new inode, as an atomic write makes). */
function editPairing(root: string, edit: (data: PairingFile) => void): void {
  const data = readPairing(root);
  edit(data);
  writeFileSync(`${pairingFile(root)}.tmp`, JSON.stringify(data));
  // rename over: what writeFileAtomic does
  renameSync(`${pairingFile(root)}.tmp`, pairingFile(root));
}

describe("an unknown sender in a DM", () => {
  it("gets one code (not answered by the agent), the same code when asking again, at most one message per 10 minutes", async () => {
    const { kernel, model, platform, channels } = await setup();
    await platform.say({ peer: { id: "77", name: "Eve", username: "eve" }, chatId: "dm-77", text: "hi, who are you?" });
    expect(model.requests).toEqual([]);
    expect(platform.sent).toHaveLength(1);
    const notice = platform.sent[0]!;
    const code = codeIn(notice.text)!;
    expect(notice).toMatchObject({ chatId: "dm-77" });
    expect(notice.text).toContain(`aleph interfaces pair ${code}`);
    expect(notice.text).toMatch(/good for 60 minutes/);

    // Announced without the code (a credential), and never received as a message for the agent.
    const requested = kernel.eventsNamed("channel.pairing.requested");
    expect(requested).toEqual([{ channel: "fake", peer: { id: "77", name: "Eve", username: "eve" }, expiresAt: expect.any(Number) }]);
    expect(JSON.stringify(kernel.events)).not.toContain(code);
    expect(kernel.eventsNamed("message.received")).toEqual([]);
    expect(await logLine(kernel.root, /pairing code issued/)).not.toContain(code);

    expect(channels.pending()).toEqual([{ code, channel: "fake", peer: { id: "77", name: "Eve", username: "eve" }, createdAt: expect.any(Number), expiresAt: requested[0]!.expiresAt }]);
    expect(requested[0]!.expiresAt - channels.pending()[0]!.createdAt).toBe(60 * 60 * 1000);
    expect(statSync(pairingFile(kernel.root)).mode & 0o777).toBe(0o600);

    // Asking again: no new code, no second message.
    await platform.say({ peer: { id: "77" }, chatId: "dm-77", text: "hello??" });
    await platform.say({ peer: { id: "77" }, chatId: "dm-77", text: "/help" });
    expect(platform.sent).toHaveLength(1);
    expect(channels.pending().map((p) => p.code)).toEqual([code]);
    expect(kernel.eventsNamed("channel.pairing.requested")).toHaveLength(1);

    // Ten minutes on (the last notice moved back): they are told again, the same code.
    editPairing(kernel.root, (data) => void (data.pending[0]!.notifiedAt -= 11 * 60 * 1000));
    await platform.say({ peer: { id: "77" }, chatId: "dm-77", text: "still there?" });
    expect(platform.sent.map((s) => codeIn(s.text))).toEqual([code, code]);
    expect(model.requests).toEqual([]);
  });

  it("is answered once paired: pair(code) in any case, persisted, announced, told; unpair withdraws it", async () => {
    const { kernel, model, platform, channels } = await setup({ turns: [{ text: "Welcome aboard." }] });
    await platform.say({ peer: { id: "77", name: "Eve" }, chatId: "dm-77", text: "let me in" });
    const code = codeIn(platform.sent[0]!.text)!;

    const paired = await channels.pair(` ${code.toLowerCase().replace("-", "")} `);
    expect(paired).toEqual({ channel: "fake", peer: { id: "77", name: "Eve" }, pairedAt: expect.any(Number) });
    expect(kernel.eventsNamed("channel.paired")).toEqual([{ channel: "fake", peer: { id: "77", name: "Eve" } }]);
    expect(platform.sent[1]).toMatchObject({ chatId: "dm-77", text: expect.stringMatching(/approved/) });
    expect(channels.pending()).toEqual([]);
    expect(channels.paired()).toEqual([paired]);
    expect(readPairing(kernel.root).paired).toEqual([paired]);
    // A code is used once.
    await expect(channels.pair(code)).rejects.toMatchObject({ code: "ALEPH_E_NOT_FOUND" });

    await platform.say({ peer: { id: "77" }, chatId: "dm-77", text: "thanks!" });
    expect(askedTexts(model)).toEqual([expect.stringContaining("thanks!")]);
    expect(platform.sent[2]).toMatchObject({ text: "Welcome aboard." });

    expect(await channels.unpair("fake", "77")).toBe(true);
    expect(await channels.unpair("fake", "77")).toBe(false);
    expect(channels.paired()).toEqual([]);
    await platform.say({ peer: { id: "77" }, chatId: "dm-77", text: "hello again" });
    const second = codeIn(platform.sent[3]!.text);
    expect(second).toMatch(CODE);
    expect(second).not.toBe(code);
    expect(model.requests).toHaveLength(1);
  });

  it("refuses an unknown code and an expired one with ALEPH_E_NOT_FOUND and a fix; an expired code's owner gets a new one", async () => {
    const { kernel, platform, channels } = await setup();
    const unknown = (await channels.pair("ZZZZ-ZZZZ").catch((e: unknown) => e)) as AlephError;
    expect(unknown).toMatchObject({ code: "ALEPH_E_NOT_FOUND", message: "no pending pairing code ZZZZ-ZZZZ", fix: expect.stringMatching(/aleph interfaces pending/) });
    await expect(channels.pair("")).rejects.toMatchObject({ code: "ALEPH_E_NOT_FOUND" });

    await platform.say({ peer: { id: "88" }, chatId: "dm-88", text: "hi" });
    const code = codeIn(platform.sent[0]!.text)!;
    editPairing(kernel.root, (data) => {
      data.pending[0]!.createdAt -= 2 * 60 * 60 * 1000;
      data.pending[0]!.expiresAt -= 2 * 60 * 60 * 1000;
    });
    expect(channels.pending()).toEqual([]);
    const expired = (await channels.pair(code).catch((e: unknown) => e)) as AlephError;
    expect(expired).toMatchObject({ code: "ALEPH_E_NOT_FOUND", message: expect.stringMatching(new RegExp(`pairing code ${code} expired at`)), fix: expect.stringMatching(/write to the bot again/) });

    await platform.say({ peer: { id: "88" }, chatId: "dm-88", text: "hi again" });
    const fresh = codeIn(platform.sent[1]!.text)!;
    expect(fresh).not.toBe(code);
    expect(channels.pending().map((p) => p.code)).toEqual([fresh]);
    expect(readPairing(kernel.root).pending).toHaveLength(1);
  });

  it("refuses everyone (fails closed) while pairing.json is damaged, and says so; pair() reports the file", async () => {
    const { kernel, model, platform, channels } = await setup({ turns: [{ text: "hi" }] });
    await platform.say({ peer: { id: "55" }, chatId: "dm-55", text: "hi" });
    await channels.pair(codeIn(platform.sent[0]!.text)!);
    writeFileSync(pairingFile(kernel.root), "{ not json");
    await platform.say({ peer: { id: "55" }, chatId: "dm-55", text: "hello?" }).catch(() => undefined);
    expect(model.requests).toEqual([]);
    await logLine(kernel.root, /pairing file unreadable/);
    await expect(channels.pair("ABCD-EFGH")).rejects.toMatchObject({ code: "ALEPH_E_CORRUPT", fix: expect.stringMatching(/remove it/) });
    expect(() => channels.paired()).toThrow(/pairing\.json is damaged: not valid JSON/);
    // Nothing overwrote it.
    expect(readFileSync(pairingFile(kernel.root), "utf8")).toBe("{ not json");
  });
});

describe("an unknown sender in a group", () => {
  it("is ignored: no code, no answer, a line in the log", async () => {
    const { kernel, model, platform, channels } = await setup();
    await platform.say({ kind: "group", chatId: "-5", peer: { id: "66" }, text: "@aleph_bot hi", mentionsBot: true });
    expect(platform.sent).toEqual([]);
    expect(model.requests).toEqual([]);
    expect(channels.pending()).toEqual([]);
    await logLine(kernel.root, /group message from a sender not allowed ignored/);
  });
});

describe("a pairing made by another process", () => {
  it("is seen by the running kernel on the sender's next message (aleph interfaces pair without a running kernel)", async () => {
    const running = await setup({ turns: [{ text: "Now I know you." }] });
    await running.platform.say({ peer: { id: "91" }, chatId: "dm-91", text: "hello" });
    const code = codeIn(running.platform.sent[0]!.text)!;

    // A second kernel on the same state root, without the channel: what `aleph interfaces pair`
    // starts when no kernel answers on the control socket.
    const offline = await setup({ root: running.root, noChannel: true });
    const registry = offline.kernel.service(channelsRef)!;
    expect(registry.pending().map((p) => p.code)).toEqual([code]);
    expect(registry.list()).toEqual([]);
    await registry.pair(code);
    await offline.kernel.stop();

    await running.platform.say({ peer: { id: "91" }, chatId: "dm-91", text: "and now?" });
    expect(running.platform.sent.map((s) => s.text)).toEqual([expect.stringMatching(CODE), "Now I know you."]);
    expect(running.channels.paired().map((p) => p.peer.id)).toEqual(["91"]);
  });
});
