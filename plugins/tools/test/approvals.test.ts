/*
 * The approvals service: a request ends exactly once — answered, timed out, cancelled with its
 * turn, or denied at once when nobody can be asked — and each end is announced on the bus.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Logger, PendingApproval, PluginEvents } from "@aleph/plugin-sdk";
import { createApprovals } from "../src/approvals.js";

function harness(timeoutSeconds = 60) {
  const emitted: { event: string; payload: any }[] = [];
  const events = { emit: async (event: string, payload: unknown) => void emitted.push({ event, payload }), on: () => ({ dispose() {} }), once: () => ({ dispose() {} }) } as unknown as PluginEvents;
  const log = { info() {}, warn() {}, error() {}, debug() {} } as unknown as Logger;
  const approvals = createApprovals({ events, log, timeoutSeconds: () => timeoutSeconds });
  const requested = () => emitted.filter((e) => e.event === "agent.approval.requested").map((e) => e.payload as PendingApproval);
  const resolved = () => emitted.filter((e) => e.event === "agent.approval.resolved").map((e) => e.payload);
  return { approvals, requested, resolved };
}

const shellRequest = { tool: "shell", args: { command: "ls" }, summary: "run `ls` in /ws", always: "remember `ls` for agent main" };
const interactive = { agentId: "main", sessionKey: "agent:main:main", interactive: true };

afterEach(() => void vi.useRealTimers());

describe("approvals", () => {
  it("denies at once, without an event, when the turn has no one to ask", async () => {
    const { approvals, requested } = harness();
    const decision = await approvals.request(shellRequest, { agentId: "main", sessionKey: "agent:main:cron:x" });
    expect(decision).toMatchObject({ approved: false, by: "nobody", reason: expect.stringMatching(/nobody can answer/) });
    expect(requested()).toEqual([]);
    expect(approvals.list()).toEqual([]);
  });

  it("announces a request, lists it while it waits, and approves it once", async () => {
    const { approvals, requested, resolved } = harness();
    const pending = approvals.request(shellRequest, interactive);
    const [announced] = requested();
    expect(announced).toMatchObject({ tool: "shell", agentId: "main", sessionKey: "agent:main:main", summary: "run `ls` in /ws", args: { command: "ls" } });
    expect(announced!.id).toMatch(/^[0-9a-f]{8}$/);
    expect(approvals.list().map((p) => p.id)).toEqual([announced!.id]);
    approvals.answer(announced!.id, "approve", "aleph talk");
    expect(await pending).toEqual({ approved: true, always: false, by: "aleph talk" });
    expect(approvals.list()).toEqual([]);
    expect(resolved()).toEqual([expect.objectContaining({ id: announced!.id, approved: true, always: false, by: "aleph talk" })]);
    // Answered once: a second answer finds nothing waiting.
    expect(() => approvals.answer(announced!.id, "deny")).toThrow(/no approval request .* is waiting/);
  });

  it("passes `always` and a denial with its reason", async () => {
    const { approvals, requested } = harness();
    const first = approvals.request(shellRequest, interactive);
    approvals.answer(requested()[0]!.id, "always");
    expect(await first).toMatchObject({ approved: true, always: true });
    const second = approvals.request(shellRequest, interactive);
    approvals.answer(requested()[1]!.id, "deny", "aleph approvals");
    expect(await second).toMatchObject({ approved: false, by: "aleph approvals", reason: expect.stringMatching(/denied/) });
  });

  it("refuses `always` for a request with nothing to remember", async () => {
    const { approvals, requested } = harness();
    const pending = approvals.request({ tool: "x", args: {}, summary: "do x" }, interactive);
    expect(() => approvals.answer(requested()[0]!.id, "always")).toThrow(/cannot be approved always/);
    approvals.answer(requested()[0]!.id, "deny");
    await expect(pending).resolves.toMatchObject({ approved: false });
  });

  it("denies a request nobody answers in time", async () => {
    vi.useFakeTimers();
    const { approvals, resolved } = harness(30);
    const pending = approvals.request(shellRequest, interactive);
    await vi.advanceTimersByTimeAsync(29_000);
    expect(approvals.list()).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await pending).toMatchObject({ approved: false, by: "timeout", reason: expect.stringMatching(/within 30 s/) });
    expect(resolved()).toEqual([expect.objectContaining({ approved: false, by: "timeout" })]);
  });

  it("denies when the turn is cancelled, and everything waiting when the plugin stops", async () => {
    const { approvals } = harness();
    const controller = new AbortController();
    const cancelled = approvals.request(shellRequest, { ...interactive, signal: controller.signal });
    const other = approvals.request(shellRequest, { ...interactive, sessionKey: "agent:main:other" });
    controller.abort();
    expect(await cancelled).toMatchObject({ approved: false, reason: expect.stringMatching(/cancelled/) });
    expect(approvals.list()).toHaveLength(1);
    approvals.denyAll("stopping");
    expect(await other).toMatchObject({ approved: false, reason: "stopping" });
    expect(await approvals.request(shellRequest, { ...interactive, signal: AbortSignal.abort() })).toMatchObject({ approved: false });
  });
});
