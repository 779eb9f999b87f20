/*
 * `aleph interfaces …` through the real CLI: without a running kernel (an in-process kernel reading
 * and writing data/channels/pairing.json), and against `aleph start` with a small channel plugin in
 * the user plugin directory whose platform is a file (what the bot sent) — an unknown sender
 * writes, the owner pairs them from a terminal.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { createWorkspace, eventually, runCli, runCliJson, startKernel, type Workspace } from "./support/aleph.js";

const aleph = (ws: Workspace, args: string[]) => runCli(ws, args, { timeoutMs: 25_000 });
const alephJson = <T>(ws: Workspace, args: string[]) => runCliJson<T>(ws, args);

const pairingFile = (ws: Workspace) => join(ws.root, "data", "channels", "pairing.json");

describe("without a running kernel", () => {
  it("pending, pair, paired and unpair work on data/channels/pairing.json; list says no channel runs", { timeout: 90_000 }, async () => {
    const ws = createWorkspace();
    mkdirSync(dirname(pairingFile(ws)), { recursive: true, mode: 0o700 });
    const now = Date.now();
    const pending = { code: "QRST-UVWX", channel: "telegram", peer: { id: "77", name: "Eve", username: "eve" }, chatId: "77", createdAt: now - 60_000, expiresAt: now + 59 * 60_000, notifiedAt: now - 60_000 };
    writeFileSync(pairingFile(ws), JSON.stringify({ version: 1, pending: [pending], paired: [] }), { mode: 0o600 });

    expect(await alephJson(ws, ["interfaces", "pending", "--json"])).toEqual([{ code: "QRST-UVWX", channel: "telegram", peer: pending.peer, createdAt: pending.createdAt, expiresAt: pending.expiresAt }]);
    const table = await aleph(ws, ["interfaces", "pending"]);
    expect(table.stdout).toMatch(/QRST-UVWX\s+telegram\s+77\s+Eve @eve\s+1m ago\s+in 59m/);

    const unknown = await aleph(ws, ["interfaces", "pair", "ZZZZ-ZZZZ"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/ALEPH_E_NOT_FOUND.*no pending pairing code ZZZZ-ZZZZ/);
    expect(unknown.stderr).toMatch(/aleph interfaces pending/);
    expect((await aleph(ws, ["interfaces", "pair"])).code).toBe(2);

    const paired = await aleph(ws, ["interfaces", "pair", "qrstuvwx"]);
    expect(paired.code).toBe(0);
    expect(paired.stdout).toBe("Paired: telegram user 77 (Eve @eve) may talk to the agent now.\n");
    const file = JSON.parse(readFileSync(pairingFile(ws), "utf8")) as { pending: unknown[]; paired: { channel: string; peer: { id: string } }[] };
    expect(file.pending).toEqual([]);
    expect(file.paired).toEqual([{ channel: "telegram", peer: pending.peer, pairedAt: expect.any(Number) }]);
    expect(await alephJson(ws, ["interfaces", "paired", "--json"])).toEqual(file.paired);

    expect(await aleph(ws, ["interfaces", "unpair", "telegram", "77"])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Unpaired: telegram user 77/) });
    expect(await aleph(ws, ["interfaces", "unpair", "telegram", "77"])).toMatchObject({ code: 1, stderr: expect.stringMatching(/is not paired/) });

    const list = await aleph(ws, ["interfaces", "list"]);
    expect(list).toMatchObject({ code: 0, stdout: "" });
    expect(list.stderr).toMatch(/No kernel is running, so no channel is/);
    expect(await alephJson(ws, ["interfaces", "list", "--json"])).toEqual([]);
  });
});

describe("against aleph start", () => {
  it("lists the running channel, shows the code an unknown sender got, and pairs them (they are told)", { timeout: 90_000 }, async () => {
    const ws = createWorkspace();
    const plugin = join(ws.root, "plugins", "fixture-channel");
    mkdirSync(plugin, { recursive: true, mode: 0o700 });
    writeFileSync(join(plugin, "aleph_plugin.toml"), ['[plugin]', 'id = "fixture-channel"', 'version = "1.0.0"', 'entry = "index.js"', "daemon = true", "", "[services]", 'requires = ["channels"]', ""].join("\n"));
    writeFileSync(
      join(plugin, "index.js"),
      `import { appendFileSync } from "node:fs";
import { join } from "node:path";
// A channel whose platform is a file: what the bot sends is appended to <root>/fixture-sent.jsonl.
export default {
  setup(ctx) {
    const sent = join(ctx.paths.root, "fixture-sent.jsonl");
    let running = false;
    let n = 0;
    const adapter = {
      name: "fixture",
      async start(deliver) {
        running = true;
        // An unknown sender writes as soon as the channel runs.
        setImmediate(() => deliver({ channel: "fixture", chatId: "dm-501", kind: "dm", peer: { id: "501", name: "Zed" }, text: "hello?", messageId: "f-1", mentionsBot: false, sentAt: Date.now() }).catch(() => {}));
      },
      async stop() { running = false; },
      async send(chatId, text) { appendFileSync(sent, JSON.stringify({ chatId, text }) + "\\n"); return { messageIds: ["s-" + ++n] }; },
      status() { return { state: running ? "running" : "stopped", botName: "@fixture_bot" }; },
    };
    const registration = ctx.services.get("channels").register(adapter, { plugin: ctx.id, routing: { agent: "main", allow_from: [], allow_groups: [], group_trigger: "mention" } });
    ctx.onDispose(async () => { registration.dispose(); await registration.stopped(); });
  },
};
`,
    );
    const kernel = startKernel(ws, ["--no-watch"]);
    const sentFile = join(ws.root, "fixture-sent.jsonl");
    await kernel.waitForEvent("channel.pairing.requested", () => true, 30_000);
    // The code goes out through the channel just after the event: wait for the platform (the file) to have it.
    const sent = await eventually(() => {
      const text = existsSync(sentFile) ? readFileSync(sentFile, "utf8") : "";
      if (!text.includes("\n")) throw new Error(`the bot has sent nothing yet to ${sentFile}`);
      return text;
    }, 10_000);
    const events = JSON.stringify(kernel.events);
    const notice = JSON.parse(sent.split("\n")[0]!) as { chatId: string; text: string };
    const code = /aleph interfaces pair ([A-Z0-9]{4}-[A-Z0-9]{4})/.exec(notice.text)![1]!;
    expect(notice.chatId).toBe("dm-501");
    expect(events).not.toContain(code);

    const channels = await alephJson<{ name: string; plugin: string; state: string; botName?: string; lastReceiveAt?: number; lastSendAt?: number }[]>(ws, ["interfaces", "list", "--json"]);
    expect(channels).toEqual([{ name: "fixture", plugin: "fixture-channel", state: "running", botName: "@fixture_bot", lastReceiveAt: expect.any(Number), lastSendAt: expect.any(Number) }]);
    const table = await aleph(ws, ["interfaces", "list"]);
    expect(table.stdout).toMatch(/fixture\s+fixture-channel\s+running\s+@fixture_bot\s+\d+s ago\s+\d+s ago/);
    expect(table.stdout).toMatch(/1 channel, 1 running\./);

    const pending = await alephJson<{ code: string; peer: { id: string } }[]>(ws, ["interfaces", "pending", "--json"]);
    expect(pending.map((p) => [p.code, p.peer.id])).toEqual([[code, "501"]]);
    expect(await aleph(ws, ["interfaces", "pair", code])).toMatchObject({ code: 0, stdout: "Paired: fixture user 501 (Zed) may talk to the agent now.\n" });
    // The running kernel told them.
    await kernel.waitForEvent("channel.paired", () => true, 10_000);
    await eventually(() => {
      const told = readFileSync(sentFile, "utf8").trim().split("\n").map((line) => JSON.parse(line) as { chatId: string; text: string });
      expect(told.at(-1)).toEqual({ chatId: "dm-501", text: expect.stringMatching(/approved/) });
    }, 10_000);
    await kernel.stop();
  });
});
