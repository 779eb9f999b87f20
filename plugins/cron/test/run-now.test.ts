/*
 * Manual runs (`aleph cron run-now` calls runNow) and the history questions (`cron runs`), in a real
 * kernel: a manual run streams its turn and is kept like a scheduled one; unknown and bad job ids
 * are refused with the way out.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { sessionsRef } from "@aleph/plugin-sdk";
import { cleanUp, recordOf, runNow, world } from "./support.js";

afterEach(cleanUp);

const paused = { id: "digest", schedule: "0 18 * * *", tz: "UTC", message: "Write the digest.", enabled: false };

describe("a manual run", () => {
  it("runs a job now, even a disabled one: the turn streams, the session holds it, the history keeps it as manual", async () => {
    const { clock, kernel, cron } = await world("2025-01-15T08:00:30Z", [paused], [{ text: "Here is the digest." }]);
    const events = await runNow(cron, "digest");
    const runId = (events[0] as { runId: string }).runId;
    expect(runId).toMatch(new RegExp(`^cron:digest:manual:${clock.now()}-[0-9a-f]{6}$`));
    expect(events[0]).toEqual({ type: "run.started", runId, job: "digest", agentId: "main", sessionKey: "agent:main:cron:digest", scheduledAt: clock.now(), manual: true });
    expect(events.filter((e) => e.type === "text").map((e) => (e as { text: string }).text).join("")).toBe("Here is the digest.");
    expect(events.map((e) => e.type).slice(-2)).toEqual(["turn.completed", "run.finished"]);
    const record = recordOf(events);
    expect(record).toMatchObject({ runId, job: "digest", status: "ok", ok: true, manual: true, text: "Here is the digest." });
    expect(await cron.runs("digest")).toEqual([record]);
    expect(kernel.eventsNamed("cron.run.started")).toEqual([expect.objectContaining({ job: "digest", runId, manual: true })]);
    expect(kernel.eventsNamed("cron.run.finished")).toEqual([expect.objectContaining({ job: "digest", runId, ok: true })]);
    const history = await kernel.service(sessionsRef)!.history("agent:main:cron:digest");
    expect(history.map((m) => [m.role, m.content])).toEqual([
      ["user", "Write the digest."],
      ["assistant", "Here is the digest."],
    ]);
  });

  it("that fails is kept as failed with the turn's code and message", async () => {
    const { cron } = await world("2025-01-15T08:00:30Z", [paused], [{ type: "error", status: 400, body: { error: { message: "bad request from the fake" } } }]);
    const events = await runNow(cron, "digest");
    const record = recordOf(events);
    expect(record).toMatchObject({ status: "failed", ok: false, code: expect.stringMatching(/^ALEPH_E_/), error: expect.any(String) });
    expect((await cron.jobs())[0]!.lastRun).toMatchObject({ status: "failed" });
  });

  it("that its caller leaves (Ctrl-C) is cancelled and recorded as such, never completed later", async () => {
    const { root, kernel, cron } = await world("2025-01-15T08:00:30Z", [paused], [{ text: "Too late." }]);
    for await (const event of cron.runNow("digest")) if (event.type === "run.started") break;
    expect(await kernel.waitFor("cron.run.finished")).toMatchObject({ job: "digest", ok: false });
    expect((await cron.runs("digest"))[0]).toMatchObject({ status: "failed", code: "ALEPH_E_CANCELLED", manual: true });
    // Nothing left in flight for the next start to complete.
    expect(existsSync(join(root, "data", "cron", "state.json"))).toBe(false);
  });

  it("of a job that is not configured is refused, naming the jobs there are", async () => {
    const { cron } = await world("2025-01-15T08:00:30Z", [paused], []);
    await expect(runNow(cron, "nope")).rejects.toMatchObject({ code: "ALEPH_E_NOT_FOUND", message: 'no cron job "nope" in [[cron.jobs]] (configured: digest)', fix: expect.stringContaining("aleph cron list") });
  });
});

describe("the run history", () => {
  it("is refused for an unknown job and for an id that cannot be a job's", async () => {
    const { cron } = await world("2025-01-15T08:00:30Z", [paused], []);
    expect(await cron.runs("digest")).toEqual([]);
    await expect(cron.runs("nope")).rejects.toMatchObject({ code: "ALEPH_E_NOT_FOUND" });
    await expect(cron.runs("../state")).rejects.toMatchObject({ code: "ALEPH_E_INVALID_ID", message: expect.stringContaining("path separator") });
  });

  it("is newest first and cut at the limit (manual runs at the same instant are runs of their own)", async () => {
    const { cron } = await world("2025-01-15T08:00:30Z", [paused], [{ text: "1" }, { text: "2" }, { text: "3" }]);
    for (let i = 0; i < 3; i++) await runNow(cron, "digest");
    expect((await cron.runs("digest", { limit: 2 })).map((r) => r.text)).toEqual(["3", "2"]);
  });
});
