/*
 * Scheduled turns end to end: the real CLI with the bundled cron, agent, sessions and chat plugins
 * and a fake OpenAI-compatible model on 127.0.0.1. `aleph start` runs an every-minute job on a
 * clock sped up 60 times (ALEPH_TEST_CRON_TIME_SCALE, for tests only: a minute a second), the run
 * is in `aleph cron runs` and its session; `aleph cron run-now` runs it through the running kernel
 * and without one; `aleph cron list` answers without a kernel. A kernel without jobs never loads
 * croner, and a bad schedule is reported at its key.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { fakeModel, openaiProvider, writeProviders } from "./support/model.js";
import { moduleRecorder } from "./support/module-loads.js";
import { createWorkspace, eventually, runCli, runCliJson, startKernel, type Workspace } from "./support/aleph.js";

const REPLY = "All systems nominal.";
const MESSAGE = "Heartbeat: report the status of the build.";
const jobConfig = (enabled = true) => `[[cron.jobs]]\nid = "heartbeat"\nschedule = "* * * * *"\ntz = "UTC"\nmessage = "${MESSAGE}"\nenabled = ${enabled}\n`;

interface Run {
  runId: string;
  job: string;
  status: string;
  ok: boolean;
  manual: boolean;
  scheduledAt: number;
  text?: string;
}
interface JobView {
  id: string;
  schedule: string;
  tz: string;
  agent: string;
  enabled: boolean;
  sessionKey: string;
  nextRun: number | null;
  running: unknown;
  lastRun: Run | null;
}

const runsOf = (ws: Workspace) => runCliJson<Run[]>(ws, ["cron", "runs", "heartbeat", "--json"]);

/** Every line the kernel logged, from every file under logs/. */
function logText(ws: Workspace): string {
  const dir = join(ws.root, "logs");
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => readFileSync(join(entry.parentPath, entry.name), "utf8"))
    .join("\n");
}

describe("scheduled turns through the aleph CLI", () => {
  test("an every-minute job runs under aleph start, shows in cron runs and its session; run-now works with and without a running kernel; cron list needs none", { timeout: 120_000 }, async () => {
    const ws = createWorkspace({ config: jobConfig() });
    const model = await fakeModel(Array.from({ length: 40 }, () => ({ text: REPLY })));
    writeProviders(ws, openaiProvider("local", model));
    const kernel = startKernel(ws, [], { env: { ALEPH_TEST_CRON_TIME_SCALE: "60" } });
    await kernel.ready();

    // A minute of the sped-up clock is a second: the job runs within a few seconds of real time.
    const started = await kernel.waitForEvent("cron.run.started", (p) => p.job === "heartbeat", 15_000);
    expect(started.payload).toMatchObject({ agentId: "main", sessionKey: "agent:main:cron:heartbeat", manual: false, runId: `cron:heartbeat:${started.payload.scheduledAt}` });
    expect(started.payload.scheduledAt % 60_000).toBe(0);
    await kernel.waitForEvent("cron.run.finished", (p) => p.runId === started.payload.runId && p.ok === true, 15_000);

    // Switched off live (no reload): no run starts after the change is applied and the last one ended.
    const mark = kernel.mark();
    ws.writeConfig(jobConfig(false));
    await kernel.waitForEvent("config.changed", (p) => p.sections.includes("cron"), 10_000, mark);
    const idle = await eventually(async () => {
      const [job] = await runCliJson<JobView[]>(ws, ["cron", "list", "--json"]);
      if (job!.running !== null) throw new Error("a run is still going");
      return job!;
    });
    expect(idle).toMatchObject({ id: "heartbeat", enabled: false, nextRun: null });
    expect(kernel.eventsSince(mark, "plugin.loaded", (p) => p.id === "cron")).toEqual([]);

    const runs = await runsOf(ws);
    const first = runs.find((r) => r.runId === started.payload.runId);
    expect(first).toMatchObject({ job: "heartbeat", status: "ok", ok: true, manual: false, text: REPLY });
    // Newest first, one line per tick: ok, or skipped when the previous run was still going.
    expect(runs.map((r) => r.scheduledAt)).toEqual([...runs.map((r) => r.scheduledAt)].sort((a, b) => b - a));
    expect(runs.every((r) => r.status === "ok" || r.status === "skipped")).toBe(true);

    const session = await runCliJson<{ messages: { role: string; content: string; id?: string }[] }>(ws, ["sessions", "show", "agent:main:cron:heartbeat", "--json"]);
    expect(session.messages.slice(0, 2).map((m) => [m.role, m.content])).toEqual([
      ["user", MESSAGE],
      ["assistant", REPLY],
    ]);
    expect(session.messages.filter((m) => m.role === "user")).toHaveLength(runs.filter((r) => r.status === "ok").length);

    // run-now through the running kernel: the reply on stdout, a manual run in the history.
    const now = await runCli(ws, ["cron", "run-now", "heartbeat"]);
    expect(now.code, now.stderr).toBe(0);
    expect(now.stdout).toBe(`${REPLY}\n`);
    expect(now.stderr).toMatch(/\[running heartbeat as cron:heartbeat:manual:\d+-[0-9a-f]{6} in agent:main:cron:heartbeat\]/);
    expect((await runsOf(ws))[0]).toMatchObject({ status: "ok", manual: true, text: REPLY });
    const human = await runCli(ws, ["cron", "runs", "heartbeat", "--limit", "1"]);
    expect(human.stdout).toMatch(/^SCHEDULED\s+RESULT\s+MS\s+HOW\s+REPLY OR ERROR\n\S+Z\s+ok\s+\d+\s+manual\s+All systems nominal\.\n$/);

    // Nothing of the message text in the logs at info: the run lines carry ids and times.
    expect(logText(ws)).toMatch(/cron run finished/);
    expect(logText(ws).split("\n").filter((line) => /cron run/.test(line) && line.includes("Heartbeat: report"))).toEqual([]);

    await kernel.stop();

    // No kernel: list reads the config in force and the history in a kernel of its own.
    const listed = await runCliJson<JobView[]>(ws, ["cron", "list", "--json"]);
    expect(listed).toEqual([
      expect.objectContaining({ id: "heartbeat", schedule: "* * * * *", tz: "UTC", agent: "main", enabled: false, sessionKey: "agent:main:cron:heartbeat", nextRun: null, running: null, lastRun: expect.objectContaining({ manual: true, status: "ok" }) }),
    ]);
    const table = await runCli(ws, ["cron", "list"]);
    expect(table.stdout).toMatch(/^ID\s+SCHEDULE\s+TZ\s+AGENT\s+ENABLED\s+NEXT RUN\s+LAST RUN\s+RESULT\nheartbeat\s+\* \* \* \* \*\s+UTC\s+main\s+no\s+-\s+\S+Z\s+ok\n/);

    // run-now without a kernel: one is started in this process for the run.
    const offline = await runCli(ws, ["cron", "run-now", "heartbeat", "--json"], { timeoutMs: 30_000 });
    expect(offline.code, offline.stderr).toBe(0);
    expect(JSON.parse(offline.stdout)).toMatchObject({ job: "heartbeat", status: "ok", manual: true, text: REPLY });
    expect((await runsOf(ws)).filter((r) => r.manual)).toHaveLength(2);
  });

  test("aleph start without jobs never loads croner nor the cron runtime", { timeout: 60_000 }, async () => {
    const ws = createWorkspace();
    const recorder = moduleRecorder(ws);
    const kernel = startKernel(ws, ["--no-watch"], { env: recorder.env });
    await kernel.ready();
    await kernel.stop();
    const loaded = recorder.loaded();
    expect(loaded.some((url) => url.includes("/plugins/cron/dist/index.js")), "the cron entry is loaded").toBe(true);
    expect(loaded.filter((url) => /croner|\/plugins\/cron\/dist\/runtime\.js/.test(url))).toEqual([]);
  });

  test("a bad schedule is reported at its key, with croner's reason and a fix", { timeout: 60_000 }, async () => {
    const ws = createWorkspace({ config: `[[cron.jobs]]\nid = "broken"\nschedule = "0 25 * * *"\nmessage = "Never."\n` });
    const result = await runCli(ws, ["cron", "list"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/ALEPH_E_CONFIG/);
    expect(result.stderr).toMatch(/jobs\.0\.schedule: "0 25 \* \* \*" is not a cron expression croner accepts \(CronPattern: Invalid value for hour: 25\): write five fields/);
  });
});
