/*
 * [cron] in a real kernel: a change of the jobs is applied live as a diff (no reload), a bad
 * section fails the plugin (at load) or is refused (live) with the key and croner's reason, and a
 * kernel without jobs never loads the engine.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createTestKernel } from "@aleph/testing";
import { cronRef } from "../src/service.js";
import { ManualClock } from "./manual-clock.js";
import { at, cleanUp, cronManifest, newRoot, startKernel, timed, world } from "./support.js";
import { createCronPlugin } from "../src/plugin.js";

afterEach(cleanUp);

const job = (id: string, schedule = "* * * * *", extra: Record<string, unknown> = {}) => ({ id, schedule, tz: "UTC", message: `Run ${id}.`, ...extra });

describe("a change of [[cron.jobs]]", () => {
  it("is applied as a diff without a reload: a changed job is timed anew, a removed one stops, an added one starts", async () => {
    const { clock, kernel, cron } = await world("2025-01-15T08:00:30Z", [job("a"), job("b"), job("c", "0 12 * * *")], [{ text: "c ran." }]);
    expect((await cron.jobs()).map((j) => [j.id, j.nextRun])).toEqual([
      ["a", at("2025-01-15T08:01:00Z")],
      ["b", at("2025-01-15T08:01:00Z")],
      ["c", at("2025-01-15T12:00:00Z")],
    ]);
    const result = await kernel.writeConfig({ cron: { jobs: [job("a", "*/5 * * * *"), job("c", "0 12 * * *"), job("d", "* * * * *", { enabled: false }), job("e")] } });
    expect(result).toEqual({ applied: true, sections: ["cron"] });
    expect(kernel.plugin("cron")).toMatchObject({ status: "active", generation: 1 });
    expect((await cron.jobs()).map((j) => [j.id, j.enabled, j.nextRun])).toEqual([
      ["a", true, at("2025-01-15T08:05:00Z")],
      ["c", true, at("2025-01-15T12:00:00Z")],
      ["d", false, null],
      ["e", true, at("2025-01-15T08:01:00Z")],
    ]);
    // One timer each for a, c and e: b's is gone, d is off.
    expect(clock.pending()).toEqual([at("2025-01-15T08:01:00Z"), at("2025-01-15T08:05:00Z"), at("2025-01-15T12:00:00Z")]);
    clock.advanceTo("2025-01-15T08:01:00Z");
    await kernel.waitFor("cron.run.finished");
    expect(kernel.eventsNamed("cron.run.started").map((e) => e.job)).toEqual(["e"]);
  });

  it("lets a run of a removed job finish and keeps its record", async () => {
    const { clock, kernel, cron } = await world("2025-01-15T08:00:30Z", [job("a")], [{ text: "a ran." }]);
    clock.advanceTo("2025-01-15T08:01:00Z");
    await kernel.writeConfig({ cron: { jobs: [] } });
    await kernel.waitFor("cron.run.finished", (e) => e.job === "a");
    expect(await cron.jobs()).toEqual([]);
    expect(clock.pending()).toEqual([]);
    // Its history stays readable while the file is there.
    expect((await cron.runs("a")).map((r) => [r.status, r.text])).toEqual([["ok", "a ran."]]);
  });

  it("that is invalid is refused as a whole, naming the key and croner's reason, and the jobs in force keep running", async () => {
    const { clock, kernel, cron } = await world("2025-01-15T08:00:30Z", [job("a")], []);
    const result = await kernel.writeConfig({ cron: { jobs: [job("a", "61 * * * *")] } });
    expect(result.applied).toBe(false);
    const invalid = kernel.eventsNamed("config.invalid").at(-1)!;
    expect(invalid.errors).toEqual([expect.objectContaining({ path: "cron.jobs.0.schedule", message: expect.stringMatching(/"61 \* \* \* \*" is not a cron expression croner accepts \(CronPattern: Invalid value for minute: 61\)/) })]);
    expect((await cron.jobs()).map((j) => [j.schedule, j.nextRun])).toEqual([["* * * * *", at("2025-01-15T08:01:00Z")]]);
    expect(clock.pending()).toEqual([at("2025-01-15T08:01:00Z")]);
  });
});

describe("a bad [cron] section at start", () => {
  it("fails the plugin with ALEPH_E_CONFIG at the key, with the reason and an example", async () => {
    const { root } = await newRoot([]);
    const kernel = await startKernel(root, new ManualClock("2025-01-15T08:00:30Z"), { cron: { jobs: [job("a"), job("a", "@hourly")] } });
    expect(kernel.plugin("cron")).toMatchObject({ status: "failed", error: { code: "ALEPH_E_CONFIG", message: expect.stringContaining('jobs.1.id: "a" is the id of [[cron.jobs]] #1 and #2') } });
    const other = await startKernel((await newRoot([])).root, new ManualClock("2025-01-15T08:00:30Z"), { cron: { jobs: [job("b", "0 9 * * *", { tz: "Mars/Olympus" })] } });
    expect(other.plugin("cron")).toMatchObject({ status: "failed", error: { code: "ALEPH_E_CONFIG", message: expect.stringMatching(/jobs\.0\.tz: "Mars\/Olympus" is not an IANA time zone/) } });
  });
});

describe("a kernel without jobs", () => {
  it("never loads the engine (nor croner), and answers that there are no jobs", async () => {
    let loads = 0;
    const clock = new ManualClock("2025-01-15T08:00:30Z");
    const plugin = { manifest: cronManifest, definition: createCronPlugin({ clock, runtime: () => (loads++, import("../src/runtime.js")) }) };
    const kernel = await createTestKernel({ plugins: [plugin] });
    try {
      expect(kernel.plugin("cron")?.status).toBe("active");
      expect(await kernel.service(cronRef)!.jobs()).toEqual([]);
      expect(loads).toBe(0);
      // A job added while it runs is timed at once (the engine loads then).
      await kernel.writeConfig({ cron: { jobs: [job("late")] } });
      await timed(clock, 1);
      expect(loads).toBe(1);
    } finally {
      await kernel.stop();
    }
  });
});
