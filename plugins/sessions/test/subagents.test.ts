import { cpSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { start, stop, tempRoot } from "./helpers.js";

const context = {
  scratchpad: "translate to French, formal register",
  pending: [{ tool: "lookup", args: { word: "ünïcödé ✓" } }],
  window: { tokens: 1234, ratio: 0.25, flags: [true, false, null] },
  nested: { deep: { deeper: { deepest: [1, [2, [3]]] } } },
};

const slow = { sessions: { subagents: { swap_after_ms: 3_600_000 } } };

function swapFiles(root: string): string[] {
  try {
    return readdirSync(join(root, "swap")).filter((f) => f.endsWith(".json"));
  } catch {
    return [];
  }
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("subagents (SessionCoordinator + SwapManager)", () => {
  it("creates, acquires and releases sub-agent sessions namespaced under their parent, with a session in sessions.db", async () => {
    const { subagents, sessions } = await start({ config: slow });
    const handle = await subagents.create("main", "translator", context);
    expect(handle).toMatchObject({ key: "subagent:agent:main:translator", parentAgentId: "main", name: "translator", state: "active", context });
    expect(await sessions.get("subagent:agent:main:translator")).toMatchObject({ kind: "subagent", agentId: "main", channel: null });
    await expect(subagents.create("main", "translator")).rejects.toMatchObject({ code: "ALEPH_E_DUPLICATE" });
    await expect(subagents.acquire("main", "translator")).rejects.toMatchObject({ code: "ALEPH_E_USAGE", message: expect.stringMatching(/already acquired/) });

    await subagents.update(handle.key, { ...context, scratchpad: "v2" });
    expect(await subagents.release(handle.key)).toMatchObject({ state: "idle" });
    await expect(subagents.update(handle.key, {})).rejects.toMatchObject({ code: "ALEPH_E_USAGE", message: expect.stringMatching(/idle, not active/) });
    const again = await subagents.acquire("main", "translator");
    expect(again.context).toEqual({ ...context, scratchpad: "v2" });

    // A name with reserved characters is escaped in the key and reversible.
    const odd = await subagents.acquire("main", "code: review");
    expect(odd.key).toBe("subagent:agent:main:code%3A%20review");
    expect(odd.name).toBe("code: review");
    await subagents.acquire("other", "translator");
    expect((await subagents.list("main")).map((s) => s.key)).toEqual(["subagent:agent:main:code%3A%20review", "subagent:agent:main:translator"]);
    expect(await subagents.list()).toHaveLength(3);

    await expect(subagents.acquire("../x", "t")).rejects.toMatchObject({ code: "ALEPH_E_INVALID_ID" });
    await expect(subagents.acquire("main", "")).rejects.toMatchObject({ code: "ALEPH_E_SESSION_KEY" });
    await expect(subagents.release("subagent:agent:main:nobody")).rejects.toMatchObject({ code: "ALEPH_E_NOT_FOUND" });
    await expect(subagents.update(again.key, { when: new Date() })).rejects.toMatchObject({ code: "ALEPH_E_JSON", message: expect.stringMatching(/context\.when is Date/) });
  });

  it("limits active sub-agents, and swaps out the longest-idle ones beyond max_idle", async () => {
    const { kernel, subagents } = await start({ config: { sessions: { subagents: { max_active: 2, max_idle: 1, swap_after_ms: 3_600_000 } } } });
    const a = await subagents.acquire("main", "a");
    const b = await subagents.acquire("main", "b");
    await expect(subagents.acquire("main", "c")).rejects.toMatchObject({ code: "ALEPH_E_LIMIT", fix: expect.stringMatching(/max_active/) });
    await subagents.release(a.key, { n: "a" });
    const c = await subagents.acquire("main", "c");
    await subagents.release(b.key, { n: "b" }); // two idle: a (older) goes to disk
    expect(Object.fromEntries((await subagents.list()).map((s) => [s.name, s.state]))).toEqual({ a: "swapped", b: "idle", c: "active" });
    expect(swapFiles(kernel.root)).toEqual([expect.stringMatching(/^subagent%3aagent%3amain%3aa-[0-9a-f]{16}\.json$/)]);
    await subagents.release(c.key);
    expect(Object.fromEntries((await subagents.list()).map((s) => [s.name, s.state]))).toEqual({ a: "swapped", b: "swapped", c: "idle" });
    expect((await subagents.acquire("main", "a")).context).toEqual({ n: "a" });
    // a's file stays (its last durable copy) until a's next swap-out replaces it.
    expect(swapFiles(kernel.root)).toHaveLength(2);
  });

  it("swaps an idle context out after swap_after_ms (atomic, owner-only file) and back in exactly", async () => {
    const { kernel, subagents } = await start({ config: { sessions: { subagents: { swap_after_ms: 100 } } } });
    const handle = await subagents.acquire("main", "translator");
    await subagents.release(handle.key, context);
    expect((await subagents.list())[0]!.state).toBe("idle");
    await until(() => swapFiles(kernel.root).length === 1);
    expect((await subagents.list())[0]!.state).toBe("swapped");
    const file = join(kernel.root, "swap", swapFiles(kernel.root)[0]!);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(readFileSync(file, "utf8"));
    expect(stored).toMatchObject({ version: 1, key: handle.key, parentAgentId: "main", name: "translator", context });
    expect(readdirSync(join(kernel.root, "swap")).filter((f) => f.endsWith(".tmp"))).toEqual([]);

    const back = await subagents.acquire("main", "translator");
    expect(back.context).toEqual(context);
    expect(JSON.stringify(back.context)).toBe(JSON.stringify(context)); // member order too
    expect(swapFiles(kernel.root)).toHaveLength(1); // kept as the last durable copy
    // An active one is never swapped out by the timer.
    await new Promise((r) => setTimeout(r, 300));
    expect((await subagents.list())[0]!.state).toBe("active");
    await expect(subagents.swapOut(back.key)).rejects.toMatchObject({ code: "ALEPH_E_USAGE" });
  });

  it("a swapped-out context survives a restart, and contexts still in memory are swapped out on stop", async () => {
    const root = tempRoot();
    const first = await start({ root, config: slow });
    const idle = await first.subagents.acquire("main", "idle-one");
    await first.subagents.release(idle.key, { kept: "idle" });
    await first.subagents.swapOut(idle.key);
    await first.subagents.acquire("main", "busy-one");
    await first.subagents.update("subagent:agent:main:busy-one", { kept: "busy" });
    await first.subagents.acquire("main", "lazy-one");
    await first.subagents.release("subagent:agent:main:lazy-one", context);
    await stop();
    expect(swapFiles(root).sort()).toHaveLength(3);

    const second = await start({ root, config: slow });
    expect(Object.fromEntries((await second.subagents.list()).map((s) => [s.name, s.state]))).toEqual({ "busy-one": "swapped", "idle-one": "swapped", "lazy-one": "swapped" });
    expect((await second.subagents.acquire("main", "idle-one")).context).toEqual({ kept: "idle" });
    expect((await second.subagents.acquire("main", "busy-one")).context).toEqual({ kept: "busy" });
    expect((await second.subagents.acquire("main", "lazy-one")).context).toEqual(context);
    expect(swapFiles(root)).toHaveLength(3);
  });

  it("refuses a swap file that fails its checksum, leaving it in place; remove drops a sub-agent", async () => {
    const root = tempRoot();
    const first = await start({ root, config: slow });
    const h = await first.subagents.acquire("main", "t");
    await first.subagents.release(h.key, { secret: 1 });
    await first.subagents.swapOut(h.key);
    await stop();
    const file = join(root, "swap", swapFiles(root)[0]!);
    writeFileSync(file, readFileSync(file, "utf8").replace('"secret":1', '"secret":2'));
    writeFileSync(join(root, "swap", "garbage.json"), "{not json");
    writeFileSync(join(root, "swap", "null.json"), "null");

    const second = await start({ root, config: slow });
    expect((await second.subagents.list()).map((s) => s.key)).toEqual([h.key]); // garbage.json and null.json skipped, not deleted
    await expect(second.subagents.acquire("main", "t")).rejects.toMatchObject({ code: "ALEPH_E_JSON", message: expect.stringMatching(/checksum/) });
    expect(readFileSync(file, "utf8")).toContain('"secret":2');
    expect(await second.subagents.remove(h.key)).toBe(true);
    expect(swapFiles(root).sort()).toEqual(["garbage.json", "null.json"]);
    expect(await second.subagents.remove(h.key)).toBe(false);
    // Its conversation is not the coordinator's to drop.
    expect(await second.sessions.get(h.key)).toBeDefined();
  });

  it("after a crash while a sub-agent is active, it comes back with the context of its last swap-out", async () => {
    const root = tempRoot();
    const { kernel, subagents } = await start({ root, config: slow });
    const h = await subagents.acquire("main", "worker");
    await subagents.release(h.key, { plan: ["a", "b"] });
    await subagents.swapOut(h.key);
    await subagents.acquire("main", "worker");
    await subagents.update(h.key, { plan: ["a", "b", "c (never swapped out)"] });
    // A crash now: copy the root as it is on disk, without the orderly stop that swaps out.
    const crashed = tempRoot();
    cpSync(kernel.root, crashed, { recursive: true });
    rmSync(join(crashed, "run"), { recursive: true, force: true });
    await stop();
    const after = await start({ root: crashed, config: slow });
    expect(await after.subagents.list()).toEqual([expect.objectContaining({ key: h.key, state: "swapped" })]);
    expect((await after.subagents.acquire("main", "worker")).context).toEqual({ plan: ["a", "b"] });
  });

  it("takes null for omitted arguments, refuses a missing swap file clearly, and never lets two keys share a file", async () => {
    const { kernel, subagents } = await start({ config: slow });
    const bob = await subagents.acquire("main", "Bob");
    const lower = await subagents.acquire("main", "bob");
    await subagents.release(bob.key, { who: "Bob" });
    await subagents.release(lower.key, { who: "bob" });
    expect(await subagents.list(null as never)).toHaveLength(2);
    await subagents.swapOut(bob.key);
    await subagents.swapOut(lower.key);
    expect(new Set(swapFiles(kernel.root).map((f) => f.toLowerCase())).size).toBe(2); // distinct even case-folded
    expect((await subagents.acquire("main", "Bob")).context).toEqual({ who: "Bob" });
    expect(await subagents.release(bob.key, null)).toMatchObject({ state: "idle" });
    expect((await subagents.acquire("main", "Bob")).context).toEqual({ who: "Bob" }); // null kept the context

    rmSync(join(kernel.root, "swap"), { recursive: true });
    await expect(subagents.acquire("main", "bob")).rejects.toMatchObject({ code: "ALEPH_E_NOT_FOUND", message: expect.stringMatching(/swap file .* is missing/), fix: expect.stringMatching(/remove the sub-agent/) });
    expect(await subagents.remove(lower.key)).toBe(true);
    expect((await subagents.acquire("main", "bob")).context).toBeNull();
  });
});
