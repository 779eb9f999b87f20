import { describe, expect, it } from "vitest";
import { runPluginConformance } from "@aleph/testing";
import { definePlugin, estimateTokens, tokenCounterRef, type SessionMessageInput } from "@aleph/plugin-sdk";
import { pluginDir, reader, start, stop, tempRoot } from "./helpers.js";

const user = (content: unknown, extra: Partial<SessionMessageInput> = {}): SessionMessageInput => ({ role: "user", content, ...extra });

describe("sessions service", () => {
  it("passes the plugin conformance checks", async () => {
    const result = await runPluginConformance(pluginDir);
    expect(result.checks.filter((c) => !c.ok)).toEqual([]);
  });

  it("creates, appends (one or many), reads history with limit/before, and emits events in order", async () => {
    const { kernel, sessions } = await start();
    const created = await sessions.create("agent:main:main");
    expect(created).toMatchObject({ key: "agent:main:main", kind: "main", agentId: "main", channel: "main", messageCount: 0, tokenCount: 0, lastSeq: 0, lastCompaction: null, archivedAt: null });
    await expect(sessions.create("agent:main:main")).rejects.toMatchObject({ code: "ALEPH_E_DUPLICATE" });

    const one = await sessions.append("agent:main:main", user("first"));
    expect(one.messages).toMatchObject([{ seq: 1, role: "user", content: "first", tokens: estimateTokens({ content: "first" }) }]);
    const many = await sessions.append("agent:main:main", [
      { role: "assistant", content: "second" },
      { role: "tool", name: "calc", content: { value: 42 }, tokens: 7 },
    ]);
    expect(many.messages.map((m) => m.seq)).toEqual([2, 3]);
    expect(many.messages[1]!.tokens).toBe(7); // given tokens win over the counter
    expect(many.session).toMatchObject({ messageCount: 3, lastSeq: 3, tokenCount: one.messages[0]!.tokens + many.messages[0]!.tokens + 7 });

    for (let i = 4; i <= 10; i++) await sessions.append("agent:main:main", user(`m${i}`));
    expect((await sessions.history("agent:main:main", { limit: 3 })).map((m) => m.seq)).toEqual([8, 9, 10]);
    expect((await sessions.history("agent:main:main", { limit: 3, before: 8 })).map((m) => m.seq)).toEqual([5, 6, 7]);
    expect((await sessions.history("agent:main:main", { before: 1 }))).toEqual([]);
    expect((await sessions.history("agent:main:main")).map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);

    const events = kernel.events.filter((e) => e.event.startsWith("session."));
    expect(events[0]).toEqual({ event: "session.created", payload: { key: "agent:main:main", kind: "main", agentId: "main", channel: "main" } });
    const appended = kernel.eventsNamed("session.message.appended").map((p) => p.message.seq);
    expect(appended).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);

    // Appending to a key that does not exist creates it (and says so).
    await sessions.append("agent:main:cron:daily-summary", user("run"));
    expect(kernel.events.some((e) => e.event === "session.created" && e.payload.key === "agent:main:cron:daily-summary" && e.payload.channel === "cron")).toBe(true);
  });

  it("an idempotency id is stored once: a repeat returns the stored message, in a later call or the same batch", async () => {
    const { sessions } = await start();
    const first = await sessions.append("agent:main:main", user("hello", { id: "upd-1" }));
    const again = await sessions.append("agent:main:main", user("hello (redelivered)", { id: "upd-1" }));
    expect(again.messages[0]).toEqual(first.messages[0]);
    const batch = await sessions.append("agent:main:main", [user("a", { id: "x" }), user("b", { id: "x" }), user("c")]);
    expect(batch.messages.map((m) => [m.seq, m.content])).toEqual([
      [2, "a"],
      [2, "a"],
      [3, "c"],
    ]);
    expect((await sessions.get("agent:main:main"))!.messageCount).toBe(3);
    // Still once after the message was compacted away.
    await sessions.compact("agent:main:main", { upTo: 2, summary: { content: "s" } });
    const late = await sessions.append("agent:main:main", user("hello (late redelivery)", { id: "upd-1" }));
    expect(late.messages[0]).toEqual(first.messages[0]);
    expect(late.session.lastSeq).toBe(3);
  });

  it("lists by prefix, agent, channel and updated-since, without matching a neighbouring agent", async () => {
    let clock = 1000;
    const { sessions } = await start();
    const keys = [
      "agent:main:main",
      "agent:main:telegram:dm:alice",
      "agent:main:telegram:group:g1",
      "agent:main:discord:dm:bob",
      "agent:main2:main",
      "agent:main2:telegram:dm:alice",
      "subagent:agent:main:translator",
    ];
    for (const key of keys) {
      await sessions.append(key, user(key));
      clock += 1;
    }
    void clock;
    const keysOf = async (filter: Parameters<typeof sessions.list>[0]) => (await sessions.list(filter)).map((s) => s.key).sort();
    expect(await keysOf({ prefix: "agent:main:" })).toEqual(keys.slice(0, 4).sort());
    expect(await keysOf({ agentId: "main" })).toEqual([...keys.slice(0, 4), "subagent:agent:main:translator"].sort());
    expect(await keysOf({ channel: "telegram" })).toEqual(["agent:main2:telegram:dm:alice", "agent:main:telegram:dm:alice", "agent:main:telegram:group:g1"].sort());
    expect(await keysOf({ agentId: "main", channel: "telegram" })).toEqual(["agent:main:telegram:dm:alice", "agent:main:telegram:group:g1"]);
    expect(await keysOf({ prefix: "agent:main:telegram:" })).toEqual(["agent:main:telegram:dm:alice", "agent:main:telegram:group:g1"]);
    expect(await keysOf({ prefix: "subagent:agent:main:" })).toEqual(["subagent:agent:main:translator"]);
    expect(await keysOf({})).toEqual([...keys].sort());
    expect(await sessions.list({ limit: 2 })).toHaveLength(2);

    const before = Date.now();
    await new Promise((r) => setTimeout(r, 5));
    await sessions.append("agent:main:discord:dm:bob", user("later"));
    expect(await keysOf({ updatedSince: before + 1 })).toEqual(["agent:main:discord:dm:bob"]);
    // Most recently updated first.
    expect((await sessions.list())[0]!.key).toBe("agent:main:discord:dm:bob");
  });

  it("escaped key parts round-trip; a prefix is a whole-part prefix in which _ and % are never wildcards", async () => {
    const { sessions } = await start();
    await sessions.append("agent:main:telegram:dm:a%3Ab", user("colon peer"));
    await sessions.append("agent:a_b:main", user("underscore agent"));
    await sessions.append("agent:aXb:main", user("x agent"));
    expect((await sessions.list({ prefix: "agent:a_b:" })).map((s) => s.key)).toEqual(["agent:a_b:main"]);
    expect((await sessions.list({ prefix: "agent:main:telegram:dm:" })).map((s) => s.key)).toEqual(["agent:main:telegram:dm:a%3Ab"]);
    expect((await sessions.history("agent:main:telegram:dm:a%3Ab"))[0]!.content).toBe("colon peer");
    await expect(sessions.list({ prefix: "agent:a" })).rejects.toMatchObject({ code: "ALEPH_E_SESSION_KEY", message: expect.stringMatching(/does not end in ":"/) });
  });

  it("compacts: messages up to a seq become one summary, token_count follows, last_compaction is recorded, the originals are kept aside", async () => {
    const { kernel, sessions } = await start();
    for (let i = 1; i <= 6; i++) await sessions.append("agent:main:main", user(`message ${i}`, { tokens: 10 }));
    const result = await sessions.compact("agent:main:main", { upTo: 4, summary: { content: "summary of 1-4", tokens: 3 } });
    expect(result.replaced).toBe(4);
    expect(result.summary).toMatchObject({ seq: 4, role: "system", content: "summary of 1-4", tokens: 3, summaryOf: { from: 1, to: 4, count: 4 } });
    expect(result.session).toMatchObject({ messageCount: 3, tokenCount: 23, lastSeq: 6 });
    expect(result.session.lastCompaction).toEqual(expect.any(Number));
    expect((await sessions.history("agent:main:main")).map((m) => [m.seq, m.content])).toEqual([
      [4, "summary of 1-4"],
      [5, "message 5"],
      [6, "message 6"],
    ]);
    // New messages continue after the last seq; a second compaction folds the first summary in.
    await sessions.append("agent:main:main", user("message 7", { tokens: 10 }));
    const second = await sessions.compact("agent:main:main", { upTo: 6, summary: { role: "assistant", content: "summary of 1-6", tokens: 2 } });
    // It stands for the six original messages (the first summary counted for its four).
    expect(second.summary).toMatchObject({ seq: 6, role: "assistant", summaryOf: { from: 1, to: 6, count: 6 } });
    expect(second.session).toMatchObject({ messageCount: 2, tokenCount: 12 });
    expect(kernel.events.filter((e) => e.event === "session.compacted").map((e) => e.payload)).toEqual([
      { key: "agent:main:main", replaced: 4, summarySeq: 4, tokenCount: 23 },
      { key: "agent:main:main", replaced: 3, summarySeq: 6, tokenCount: 12 },
    ]);

    const db = reader(kernel.root);
    try {
      expect(JSON.parse((db.prepare("SELECT messages FROM sessions").get() as { messages: string }).messages).map((m: { seq: number }) => m.seq)).toEqual([6, 7]);
      expect(db.prepare("SELECT last_compaction FROM session_metadata").get()).toEqual({ last_compaction: second.session.lastCompaction });
      expect(db.prepare("SELECT count(*) AS n FROM session_compacted_messages").get()).toEqual({ n: 7 });
    } finally {
      db.close();
    }

    await expect(sessions.compact("agent:main:main", { upTo: 7, summary: { content: "x", id: "s1" } as never })).rejects.toMatchObject({ code: "ALEPH_E_USAGE", message: expect.stringMatching(/summary takes no idempotency id/) });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(sessions.compact("agent:main:main", { upTo: 7, summary: { content: cyclic } })).rejects.toMatchObject({ code: "ALEPH_E_JSON", message: expect.stringMatching(/cycle/) });
    await expect(sessions.compact("agent:main:main", { upTo: 99, summary: { content: "x" } })).rejects.toMatchObject({ code: "ALEPH_E_USAGE", message: expect.stringMatching(/last message is 7/) });
    await expect(sessions.compact("agent:main:main", { upTo: 5, summary: { content: "x" } })).rejects.toMatchObject({ code: "ALEPH_E_USAGE", message: expect.stringMatching(/nothing to compact/) });
    await expect(sessions.compact("agent:main:nope", { upTo: 1, summary: { content: "x" } })).rejects.toMatchObject({ code: "ALEPH_E_SESSION_KEY" });
    await expect(sessions.compact("agent:main:cron:nope", { upTo: 1, summary: { content: "x" } })).rejects.toMatchObject({ code: "ALEPH_E_NOT_FOUND" });
  });

  it("archives (the key starts afresh, the old one is listed and exportable) and deletes", async () => {
    const { kernel, sessions } = await start();
    await sessions.append("agent:main:main", [user("old 1"), user("old 2")]);
    const archived = await sessions.archive("agent:main:main");
    expect(archived.archivedAt).toEqual(expect.any(Number));
    expect(await sessions.get("agent:main:main")).toBeUndefined();
    await expect(sessions.history("agent:main:main")).rejects.toMatchObject({ code: "ALEPH_E_NOT_FOUND" });
    const fresh = await sessions.append("agent:main:main", user("new 1"));
    expect(fresh.messages[0]!.seq).toBe(1);
    expect((await sessions.list({ archived: true })).map((s) => [s.key, s.messageCount])).toEqual([["agent:main:main", 2]]);
    const exported = await sessions.export("agent:main:main", { archivedAt: archived.archivedAt! });
    expect(exported).toContain('"old 2"');
    // Archiving twice in the same millisecond still gives each its own archivedAt.
    const again = await sessions.archive("agent:main:main");
    expect(again.archivedAt).toBeGreaterThan(archived.archivedAt!);
    await expect(sessions.archive("agent:main:main")).rejects.toMatchObject({ code: "ALEPH_E_NOT_FOUND" });

    await sessions.append("agent:main:main", user("newest"));
    expect(await sessions.delete("agent:main:main")).toBe(1);
    expect(await sessions.list({ archived: true })).toHaveLength(2);
    expect(await sessions.delete("agent:main:main", { archived: true })).toBe(2);
    expect(await sessions.list({ archived: true })).toEqual([]);
    expect(await sessions.delete("agent:main:main")).toBe(0);
    expect(kernel.events.filter((e) => e.event === "session.deleted").map((e) => e.payload)).toEqual([
      { key: "agent:main:main", count: 1 },
      { key: "agent:main:main", count: 2 },
    ]);
    const db = reader(kernel.root);
    try {
      expect(db.prepare("SELECT (SELECT count(*) FROM session_messages) + (SELECT count(*) FROM session_heads) AS n").get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  });

  it("exports to JSONL and imports it back exactly; import refuses to overwrite unless replace, which archives", async () => {
    const { sessions } = await start();
    await sessions.append("agent:main:telegram:dm:alice", [user("hi", { meta: { chat: 5 } }), { role: "assistant", content: [{ type: "text", text: "hello" }], id: "u1" }]);
    await sessions.compact("agent:main:telegram:dm:alice", { upTo: 1, summary: { content: "greeting" } });
    await sessions.append("agent:main:telegram:dm:alice", user("more"));
    const before = await sessions.history("agent:main:telegram:dm:alice");
    const info = (await sessions.get("agent:main:telegram:dm:alice"))!;
    const jsonl = await sessions.export("agent:main:telegram:dm:alice");
    expect(jsonl.trim().split("\n")).toHaveLength(1 + before.length + 1); // header, messages, the one compacted message

    await expect(sessions.import(jsonl)).rejects.toMatchObject({ code: "ALEPH_E_DUPLICATE", fix: expect.stringMatching(/replace/) });
    const replaced = await sessions.import(jsonl, { replace: true });
    expect(replaced).toMatchObject({ key: info.key, messageCount: info.messageCount, tokenCount: info.tokenCount, lastSeq: info.lastSeq, createdAt: info.createdAt, updatedAt: info.updatedAt, lastCompaction: info.lastCompaction });
    expect(await sessions.history("agent:main:telegram:dm:alice")).toEqual(before);
    expect(await sessions.list({ archived: true })).toHaveLength(1);
    // The idempotency id came across too.
    expect((await sessions.append("agent:main:telegram:dm:alice", user("dup", { id: "u1" }))).session.messageCount).toBe(info.messageCount);
    // Compacted messages travel too: their ids stay idempotent after a round trip.
    await sessions.compact("agent:main:telegram:dm:alice", { upTo: 2, summary: { content: "both greetings" } });
    const compactedExport = await sessions.export("agent:main:telegram:dm:alice");
    expect(compactedExport).toContain('"type":"compacted"');
    await sessions.import(compactedExport, { replace: true });
    const again = await sessions.append("agent:main:telegram:dm:alice", { role: "assistant", content: "dup", id: "u1" });
    expect(again.messages[0]).toMatchObject({ seq: 2, content: [{ type: "text", text: "hello" }] });
    expect(await sessions.export("agent:main:telegram:dm:alice")).toBe(compactedExport);
    await sessions.import(jsonl, { replace: true });
    // Into a fresh store (another root): identical history.
    await stop();
    const other = await start({ root: tempRoot() });
    await other.sessions.import(jsonl);
    expect(await other.sessions.history("agent:main:telegram:dm:alice")).toEqual(before);
    expect(await other.sessions.export("agent:main:telegram:dm:alice")).toBe(jsonl);
  });

  it("refuses bad input with clear errors and writes nothing", async () => {
    const { kernel, sessions } = await start({ config: { sessions: { max_message_bytes: 256 } } });
    for (const bad of ["", "agent", "agent::main", "agent:main", "agent:main:main:extra:x:y", "agent:../x:main", "agent:a/b:main", "user:main:main", "agent:main:main\n"]) {
      await expect(sessions.append(bad, user("x")), bad).rejects.toMatchObject({ code: "ALEPH_E_SESSION_KEY", fix: expect.any(String) });
    }
    await expect(sessions.append(42 as unknown as string, user("x"))).rejects.toMatchObject({ code: "ALEPH_E_SESSION_KEY" });
    await expect(sessions.append("agent:main:main", { role: "robot", content: "x" } as never)).rejects.toMatchObject({ code: "ALEPH_E_USAGE", fix: expect.stringMatching(/system, user, assistant, tool/) });
    await expect(sessions.append("agent:main:main", { role: "user" } as never)).rejects.toMatchObject({ code: "ALEPH_E_JSON" });
    await expect(sessions.append("agent:main:main", user({ when: new Date() }))).rejects.toMatchObject({ code: "ALEPH_E_JSON", message: expect.stringMatching(/content\.when is Date/) });
    const cycle: Record<string, unknown> = { a: 1 };
    cycle.self = cycle;
    await expect(sessions.append("agent:main:main", user(cycle))).rejects.toMatchObject({ code: "ALEPH_E_JSON", message: expect.stringMatching(/content\.self refers back to itself/) });
    await expect(sessions.append("agent:main:main", user([1, Number.POSITIVE_INFINITY]))).rejects.toMatchObject({ code: "ALEPH_E_JSON", message: expect.stringMatching(/content\[1\] is Infinity/) });
    await expect(sessions.append("agent:main:main", user("x".repeat(300)))).rejects.toMatchObject({ code: "ALEPH_E_LIMIT", fix: expect.stringMatching(/max_message_bytes/) });
    await expect(sessions.append("agent:main:main", { ...user("x"), colour: "red" } as never)).rejects.toMatchObject({ code: "ALEPH_E_USAGE", message: expect.stringMatching(/unknown field "colour"/) });
    await expect(sessions.append("agent:main:main", user("x", { tokens: -1 }))).rejects.toMatchObject({ code: "ALEPH_E_USAGE" });
    await expect(sessions.append("agent:main:main", [])).rejects.toMatchObject({ code: "ALEPH_E_USAGE" });
    // A bad message anywhere in a batch refuses the whole batch.
    await expect(sessions.append("agent:main:main", [user("fine"), user(() => 1)])).rejects.toMatchObject({ code: "ALEPH_E_JSON", message: expect.stringMatching(/message 2/) });
    await expect(sessions.history("agent:main:main", { limit: 0 })).rejects.toMatchObject({ code: "ALEPH_E_USAGE" });
    await expect(sessions.list({ updatedSince: -5 })).rejects.toMatchObject({ code: "ALEPH_E_USAGE" });
    // An import with an oversized message is refused whole, naming the line.
    const header = JSON.stringify({ type: "session", version: 1, key: "agent:main:main", createdAt: 1, updatedAt: 1, lastSeq: 2, lastCompaction: null });
    const line = (seq: number, content: string) => JSON.stringify({ type: "message", message: { seq, ts: 1, role: "user", content, tokens: 1 } });
    await expect(sessions.import(`${header}\n${line(1, "ok")}\n${line(2, "x".repeat(300))}\n`)).rejects.toMatchObject({ code: "ALEPH_E_LIMIT", message: expect.stringMatching(/line 3/) });
    expect(await sessions.list()).toEqual([]);
    expect(kernel.events.filter((e) => e.event.startsWith("session."))).toEqual([]);

    // The limit follows config changes without a reload.
    await kernel.writeConfig({ sessions: { max_message_bytes: 4096 } });
    expect((await sessions.append("agent:main:main", user("x".repeat(300)))).messages[0]!.seq).toBe(1);
  });

  it("import names the first bad line and writes nothing", async () => {
    const { sessions } = await start();
    const header = JSON.stringify({ type: "session", version: 1, key: "agent:main:main", createdAt: 1, updatedAt: 2, lastSeq: 2, lastCompaction: null });
    const msg = (seq: number, extra: object = {}) => JSON.stringify({ type: "message", message: { seq, ts: 5, role: "user", content: `m${seq}`, tokens: 1, ...extra } });
    const cases: [string, RegExp, string][] = [
      ["", /line 1: the file is empty/, "ALEPH_E_USAGE"],
      [`${header}\n${msg(1)}\n{not json\n`, /line 3: not valid JSON/, "ALEPH_E_JSON"],
      [`${msg(1)}\n`, /line 1: the first line must be the session header/, "ALEPH_E_USAGE"],
      [`${header.replace('"version":1', '"version":7')}\n`, /unsupported export version 7/, "ALEPH_E_USAGE"],
      [`${header.replace("agent:main:main", "agent:../x:main")}\n`, /line 1: session key .*agent id/, "ALEPH_E_SESSION_KEY"],
      [`${header}\n${msg(2)}\n${msg(1)}\n`, /line 3: seq 1 does not follow seq 2/, "ALEPH_E_USAGE"],
      [`${header}\n${msg(1, { role: "robot" })}\n`, /line 2 has role "robot"/, "ALEPH_E_USAGE"],
      [`${header}\n${msg(1, { id: "a" })}\n${msg(2, { id: "a" })}\n`, /line 3: the idempotency id "a" appears twice/, "ALEPH_E_USAGE"],
      [`${header}\n["message"]\n`, /line 2: expected a JSON object/, "ALEPH_E_USAGE"],
    ];
    for (const [text, message, code] of cases) {
      await expect(sessions.import(text), text).rejects.toMatchObject({ code, message: expect.stringMatching(message) });
    }
    expect(await sessions.list()).toEqual([]);
    expect(await sessions.import(`${header}\n${msg(1)}\n${msg(2)}\n`)).toMatchObject({ messageCount: 2, lastSeq: 2 });
  });

  it("counts tokens with a token-counter plugin when one is active, and falls back to the estimate when it throws", async () => {
    let broken = false;
    let fractional = false;
    let nonsense = false;
    const counter = {
      manifest: { plugin: { id: "exact-tokens", version: "1.0.0", kind: "node", entry: "index.js", api: "^1" }, services: { provides: ["token-counter"] } },
      definition: definePlugin({
        setup(ctx) {
          ctx.services.provide(tokenCounterRef, {
            count(message) {
              if (broken) throw new Error("tokenizer crashed");
              if (fractional) return 12.5;
              if (nonsense) return "many" as never;
              return typeof message.content === "string" ? message.content.length * 100 : 1;
            },
          });
        },
      }),
    };
    const { sessions } = await start({ extra: [counter] });
    expect((await sessions.append("agent:main:main", user("abc"))).messages[0]!.tokens).toBe(300);
    expect((await sessions.append("agent:main:main", user([1]))).messages[0]!.tokens).toBe(1);
    fractional = true;
    expect((await sessions.append("agent:main:main", user("abc"))).messages[0]!.tokens).toBe(13); // 12.5 rounded
    fractional = false;
    nonsense = true;
    expect((await sessions.append("agent:main:main", user("abc"))).messages[0]!.tokens).toBe(estimateTokens({ content: "abc" }));
    nonsense = false;
    broken = true;
    expect((await sessions.append("agent:main:main", user("abc"))).messages[0]!.tokens).toBe(estimateTokens({ content: "abc" }));
  });

  it("8 concurrent writers on one session: seqs 1..n with none lost or repeated", async () => {
    const { sessions } = await start();
    const perWriter = 25;
    const writers = Array.from({ length: 8 }, (_, w) =>
      (async () => {
        const seqs: number[] = [];
        for (let i = 0; i < perWriter; i++) {
          const result = await sessions.append("agent:main:main", i % 5 === 0 ? [user(`w${w}-${i}a`), user(`w${w}-${i}b`)] : user(`w${w}-${i}`));
          seqs.push(...result.messages.map((m) => m.seq));
          await new Promise((r) => setImmediate(r));
        }
        return seqs;
      })(),
    );
    const acknowledged = (await Promise.all(writers)).flat();
    const total = 8 * (perWriter + perWriter / 5);
    expect([...acknowledged].sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    const history = await sessions.history("agent:main:main", { limit: 10_000 });
    expect(history.map((m) => m.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(new Set(history.map((m) => m.content)).size).toBe(total);
  });

  it("takes null for omitted options (as JSON callers send them) and refuses options that are not objects", async () => {
    const { sessions } = await start();
    await sessions.append("agent:main:main", user("a"));
    const n = null as never;
    expect((await sessions.history("agent:main:main", n)).map((m) => m.content)).toEqual(["a"]);
    expect(await sessions.history("agent:main:main", { limit: n, before: n })).toHaveLength(1);
    expect(await sessions.list({ prefix: n, agentId: n, channel: n, updatedSince: n, limit: n })).toHaveLength(1);
    expect(await sessions.list(n)).toHaveLength(1);
    expect(await sessions.export("agent:main:main", n)).toContain('"a"');
    await expect(sessions.history("agent:main:main", 5 as never)).rejects.toMatchObject({ code: "ALEPH_E_USAGE", message: expect.stringMatching(/history: options must be an object/) });
    expect(await sessions.delete("agent:main:main", n)).toBe(1);
  });

  it("keeps everything across a restart", async () => {
    const root = tempRoot();
    const first = await start({ root });
    await first.sessions.append("agent:main:main", [user("a"), user("b")]);
    await stop();
    const second = await start({ root });
    expect((await second.sessions.history("agent:main:main")).map((m) => m.content)).toEqual(["a", "b"]);
    expect((await second.sessions.append("agent:main:main", user("c"))).messages[0]!.seq).toBe(3);
  });
});
