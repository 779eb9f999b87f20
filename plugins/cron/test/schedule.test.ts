/*
 * Scheduled runs in a real kernel, on a manual clock: a job runs when the clock passes its time, in
 * its session and chat; time zones; one run at a time; missed runs reported (never replayed) after
 * a restart; runs a stop cut short completed; the history file.
 */
import { appendFileSync, existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { chatRef, sessionsRef } from "@aleph/plugin-sdk";
import { cronRef } from "../src/service.js";
import { ManualClock } from "./manual-clock.js";
import { at, cleanUp, newRoot, runNow, startKernel, timed, world } from "./support.js";

afterEach(cleanUp);

const beat = { id: "beat", schedule: "* * * * *", tz: "UTC", message: "Status check." };

describe("a scheduled job", () => {
  it("runs when the clock passes the minute: a turn in agent:main:cron:<job>, the exchange in chat cron-<job>, a line of history", async () => {
    const { root, model, clock, kernel, cron } = await world("2025-01-15T08:00:30Z", [beat], [{ text: "All good." }]);
    expect((await cron.jobs())[0]).toMatchObject({ id: "beat", tz: "UTC", agent: "main", enabled: true, sessionKey: "agent:main:cron:beat", nextRun: at("2025-01-15T08:01:00Z"), lastRun: null });

    clock.advanceTo("2025-01-15T08:00:59Z");
    expect(kernel.eventsNamed("cron.run.started")).toEqual([]);
    clock.advanceTo("2025-01-15T08:01:00Z");
    const finished = await kernel.waitFor("cron.run.finished");

    const runId = `cron:beat:${at("2025-01-15T08:01:00Z")}`;
    expect(kernel.eventsNamed("cron.run.started")).toEqual([{ job: "beat", runId, agentId: "main", sessionKey: "agent:main:cron:beat", scheduledAt: at("2025-01-15T08:01:00Z"), manual: false }]);
    expect(finished).toMatchObject({ job: "beat", runId, ok: true });
    const history = await kernel.service(sessionsRef)!.history("agent:main:cron:beat");
    expect(history.map((m) => [m.role, m.content, m.id])).toEqual([
      ["user", "Status check.", runId],
      ["assistant", "All good.", undefined],
    ]);
    const chat = await kernel.service(chatRef)!.read("cron-beat");
    expect(chat.messages.map((m) => [m.from, m.content, m.key])).toEqual([
      // The chat writes senders with "." for ":" (its id rule): cron:beat, agent:main.
      ["cron.beat", "Status check.", `in:${runId}`],
      ["agent.main", "All good.", `out:${runId}`],
    ]);
    expect(model.requests).toHaveLength(1);

    const runs = await cron.runs("beat");
    expect(runs).toEqual([
      expect.objectContaining({ runId, job: "beat", status: "ok", ok: true, scheduledAt: at("2025-01-15T08:01:00Z"), startedAt: at("2025-01-15T08:01:00Z"), manual: false, text: "All good.", sessionKey: "agent:main:cron:beat", agentId: "main" }),
    ]);
    const file = join(root, "data", "cron", "runs", "beat.jsonl");
    expect(readFileSync(file, "utf8").trim().split("\n").map((line) => JSON.parse(line).runId)).toEqual([runId]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect((await cron.jobs())[0]).toMatchObject({ nextRun: at("2025-01-15T08:02:00Z"), running: null, lastRun: expect.objectContaining({ runId, status: "ok" }) });
  });

  it("reads its schedule in its time zone: 09:00 Europe/Paris comes an hour before 09:00 UTC in January", async () => {
    const jobs = [
      { id: "paris", schedule: "0 9 * * *", tz: "Europe/Paris", message: "Bonjour." },
      { id: "utc", schedule: "0 9 * * *", tz: "UTC", message: "Morning." },
    ];
    const { clock, kernel, cron } = await world("2025-01-15T07:59:00Z", jobs, [{ text: "Paris answered." }, { text: "UTC answered." }]);
    expect((await cron.jobs()).map((j) => [j.id, j.tz, new Date(j.nextRun!).toISOString()])).toEqual([
      ["paris", "Europe/Paris", "2025-01-15T08:00:00.000Z"],
      ["utc", "UTC", "2025-01-15T09:00:00.000Z"],
    ]);
    clock.advanceTo("2025-01-15T08:00:00Z");
    await kernel.waitFor("cron.run.finished", (e) => e.job === "paris");
    expect(await cron.runs("utc")).toEqual([]);
    clock.advanceTo("2025-01-15T09:00:00Z");
    await kernel.waitFor("cron.run.finished", (e) => e.job === "utc");
    expect((await cron.runs("paris")).map((r) => [r.text, new Date(r.scheduledAt).toISOString()])).toEqual([["Paris answered.", "2025-01-15T08:00:00.000Z"]]);
    expect((await cron.runs("utc")).map((r) => [r.text, new Date(r.scheduledAt).toISOString()])).toEqual([["UTC answered.", "2025-01-15T09:00:00.000Z"]]);
  });

  it("runs once at a time: a tick while the previous run goes is skipped and recorded, and a manual run is refused", async () => {
    const { model, clock, kernel, cron } = await world("2025-01-15T08:00:30Z", [beat], [{ text: "One." }, { text: "Two." }]);
    // Both minutes pass before the 08:01 run can have had its answer (it waits on the model's socket).
    clock.advanceTo("2025-01-15T08:02:00Z");
    await expect(runNow(cron, "beat")).rejects.toMatchObject({ code: "ALEPH_E_CONFLICT", message: expect.stringMatching(/"beat" is running \(run cron:beat:\d+\): one run of a job at a time/) });
    await kernel.waitFor("cron.run.finished");
    const runs = await cron.runs("beat");
    expect(runs.map((r) => [r.status, new Date(r.scheduledAt).toISOString(), r.text ?? r.error])).toEqual([
      ["ok", "2025-01-15T08:01:00.000Z", "One."],
      ["skipped", "2025-01-15T08:02:00.000Z", `skipped: the previous run (cron:beat:${at("2025-01-15T08:01:00Z")}) was still running`],
    ]);
    expect(model.requests).toHaveLength(1);
    expect(kernel.eventsNamed("cron.run.started")).toHaveLength(1);
    // The next tick after the run ended runs again.
    clock.advanceTo("2025-01-15T08:03:00Z");
    await kernel.waitFor("cron.run.finished", (e) => e.runId === `cron:beat:${at("2025-01-15T08:03:00Z")}`);
  });

  it("reports the runs missed while Aleph was down, after a restart, and does not replay them", async () => {
    const { root, model } = await newRoot([{ text: "Before." }, { text: "After." }]);
    const first = new ManualClock("2025-01-15T08:00:30Z");
    const before = await startKernel(root, first, { cron: { jobs: [beat] } });
    await timed(first, 1);
    first.advanceTo("2025-01-15T08:01:00Z");
    await before.waitFor("cron.run.finished");
    await before.stop();

    // Down from 08:01:xx to 08:06:30: 08:02, 08:03, 08:04, 08:05 and 08:06 fell due meanwhile. A job
    // new in this config has no past, so nothing is missed for it.
    const later = new ManualClock("2025-01-15T08:06:30Z");
    const after = await startKernel(root, later, { cron: { jobs: [beat, { ...beat, id: "fresh", schedule: "0 12 * * *" }] } });
    const missed = await after.waitFor("cron.run.missed");
    expect(missed).toEqual({ job: "beat", count: 5, first: at("2025-01-15T08:02:00Z"), last: at("2025-01-15T08:06:00Z") });
    await timed(later, 2);
    expect(after.eventsNamed("cron.run.missed")).toHaveLength(1);
    expect(after.eventsNamed("cron.run.started")).toEqual([]);
    expect(model.requests).toHaveLength(1);
    const cron = after.service(cronRef)!;
    expect((await cron.runs("beat")).map((r) => [r.status, r.ok, r.count, r.missed])).toEqual([
      ["missed", false, 5, true],
      ["ok", true, undefined, undefined],
    ]);
    expect((await cron.runs("beat"))[0]!.error).toMatch(/^5 runs were due while Aleph was not running \(2025-01-15T08:02:00.000Z to 2025-01-15T08:06:00.000Z\); missed runs are reported, not replayed$/);
    expect(await cron.runs("fresh")).toEqual([]);

    // The schedule goes on from now: 08:07 runs.
    later.advanceTo("2025-01-15T08:07:00Z");
    await after.waitFor("cron.run.finished", (e) => e.job === "beat");
    expect(model.requests).toHaveLength(2);
  });

  it("counts nothing as missed for a job that was switched off meanwhile, once it is switched on again", async () => {
    const { root, model } = await newRoot([{ text: "Before." }]);
    const first = new ManualClock("2025-01-15T08:00:30Z");
    const before = await startKernel(root, first, { cron: { jobs: [beat] } });
    await timed(first, 1);
    first.advanceTo("2025-01-15T08:01:00Z");
    await before.waitFor("cron.run.finished");
    await before.stop();

    const later = new ManualClock("2025-01-15T08:06:30Z");
    const after = await startKernel(root, later, { cron: { jobs: [{ ...beat, enabled: false }] } });
    await after.writeConfig({ cron: { jobs: [beat] } });
    await timed(later, 1);
    expect(after.eventsNamed("cron.run.missed")).toEqual([]);
    expect((await after.service(cronRef)!.runs("beat")).map((r) => r.status)).toEqual(["ok"]);
    expect(model.requests).toHaveLength(1);
  });

  it("completes a run a stop cut short, under the same turn id, when the kernel starts again", async () => {
    const { root } = await newRoot([{ text: "Answer." }, { text: "Answer." }]);
    const clock = new ManualClock("2025-01-15T08:00:30Z");
    const before = await startKernel(root, clock, { cron: { jobs: [beat] } });
    await timed(clock, 1);
    clock.advanceTo("2025-01-15T08:01:00Z");
    await before.stop(); // cron unloads first (it loaded last) and cuts its run short
    const runId = `cron:beat:${at("2025-01-15T08:01:00Z")}`;
    expect(before.eventsNamed("cron.run.finished")).toEqual([]);
    expect(JSON.parse(readFileSync(join(root, "data", "cron", "state.json"), "utf8")).jobs.beat.inFlight).toMatchObject({ runId, scheduledAt: at("2025-01-15T08:01:00Z"), text: "Status check." });

    const after = await startKernel(root, new ManualClock("2025-01-15T08:01:30Z"), { cron: { jobs: [beat] } });
    const finished = await after.waitFor("cron.run.finished");
    expect(finished).toMatchObject({ job: "beat", runId, ok: true });
    expect(after.eventsNamed("cron.run.missed")).toEqual([]);
    const cron = after.service(cronRef)!;
    expect((await cron.runs("beat")).map((r) => [r.runId, r.status, r.resumed, r.text])).toEqual([[runId, "ok", true, "Answer."]]);
    const history = await after.service(sessionsRef)!.history("agent:main:cron:beat");
    expect(history.filter((m) => m.role === "user").map((m) => m.id)).toEqual([runId]);
    expect(history.filter((m) => m.role === "assistant").map((m) => m.content)).toEqual(["Answer."]);
    expect(JSON.parse(readFileSync(join(root, "data", "cron", "state.json"), "utf8")).jobs.beat.inFlight).toBeUndefined();
  });

  it("reads its history past a torn line and appends after it", async () => {
    const { root, clock, kernel, cron } = await world("2025-01-15T08:00:30Z", [beat], [{ text: "One." }, { text: "Two." }]);
    clock.advanceTo("2025-01-15T08:01:00Z");
    await kernel.waitFor("cron.run.finished");
    const file = join(root, "data", "cron", "runs", "beat.jsonl");
    appendFileSync(file, '{"runId":"cron:beat:17367');
    expect((await cron.runs("beat")).map((r) => r.text)).toEqual(["One."]);
    clock.advanceTo("2025-01-15T08:02:00Z");
    await kernel.waitFor("cron.run.finished", (e) => e.runId === `cron:beat:${at("2025-01-15T08:02:00Z")}`);
    expect((await cron.runs("beat")).map((r) => r.text)).toEqual(["Two.", "One."]);
    expect(readFileSync(file, "utf8").split("\n")).toEqual([expect.stringContaining('"One."'), '{"runId":"cron:beat:17367', expect.stringContaining('"Two."'), ""]);
    expect((await cron.jobs())[0]!.lastRun).toMatchObject({ text: "Two." });
  });

  it("keeps nothing on disk for a kernel without jobs", async () => {
    const { root, kernel } = await world("2025-01-15T08:00:30Z", [], []);
    expect(await kernel.service(cronRef)!.jobs()).toEqual([]);
    expect(existsSync(join(root, "data", "cron"))).toBe(false);
  });
});
