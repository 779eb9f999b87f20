/*
 * One static assessment: `plugins list` (no kernel running), `config check` and `doctor` ask the
 * kernel's assessPlugins, so they give the same verdict on every plugin — and the verdict is the
 * one a running kernel reaches.
 */
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { createWorkspace, runCli, runCliJson, startReadyKernel, type Workspace } from "./support/aleph.js";
import { writePlugin } from "./support/plugins.js";

interface Verdict {
  status: string;
  code?: string;
}

interface Case {
  name: string;
  config?: string;
  /** Writes the plugins of the case. */
  setup(ws: Workspace): void;
  /** The verdict expected on each copy, by `id@source`. */
  expected: Record<string, Verdict>;
}

const CASES: Case[] = [
  {
    name: "disabled: listed in [extensions] disabled",
    config: '[extensions]\ndisabled = ["quiet"]\n',
    setup: (ws) => void writePlugin(join(ws.userDir, "quiet"), { id: "quiet" }),
    expected: { "quiet@user": { status: "disabled" } },
  },
  {
    name: "extensions off: [extensions] enabled = false switches off every user, system and project plugin",
    config: "[extensions]\nenabled = false\n",
    setup: (ws) => {
      writePlugin(join(ws.userDir, "mine"), { id: "mine" });
      writePlugin(join(ws.projectDir, "local"), { id: "local" });
    },
    expected: { "mine@user": { status: "disabled" }, "local@project": { status: "disabled" } },
  },
  {
    name: "api mismatch",
    setup: (ws) => void writePlugin(join(ws.userDir, "future"), { id: "future", api: "^2" }),
    expected: { "future@user": { status: "failed", code: "ALEPH_E_API" } },
  },
  {
    name: "missing entry",
    setup: (ws) => void writePlugin(join(ws.userDir, "unbuilt"), { id: "unbuilt", noEntry: true }),
    expected: { "unbuilt@user": { status: "failed", code: "ALEPH_E_ENTRY" } },
  },
  {
    name: "entry symlink escaping its directory",
    setup: (ws) => {
      const dir = writePlugin(join(ws.userDir, "escapee"), { id: "escapee", noEntry: true });
      const outside = join(ws.staging, "elsewhere.js");
      writeFileSync(outside, "export default { setup() {} };\n");
      symlinkSync(outside, join(dir, "index.js"));
    },
    expected: { "escapee@user": { status: "failed", code: "ALEPH_E_ENTRY" } },
  },
  {
    name: "missing dependency, and a dependent of a plugin that cannot load",
    setup: (ws) => {
      writePlugin(join(ws.userDir, "lonely"), { id: "lonely", requires: ["nowhere-svc"] });
      writePlugin(join(ws.userDir, "old-provider"), { id: "old-provider", api: "^2", provides: ["old-svc"] });
      writePlugin(join(ws.userDir, "old-user"), { id: "old-user", requires: ["old-svc"] });
    },
    expected: {
      "lonely@user": { status: "failed", code: "ALEPH_E_DEPENDENCY" },
      "old-provider@user": { status: "failed", code: "ALEPH_E_API" },
      "old-user@user": { status: "failed", code: "ALEPH_E_DEPENDENCY" },
    },
  },
  {
    name: "cycle",
    setup: (ws) => {
      writePlugin(join(ws.userDir, "ping"), { id: "ping", provides: ["ping-svc"], requires: ["pong-svc"] });
      writePlugin(join(ws.userDir, "pong"), { id: "pong", provides: ["pong-svc"], requires: ["ping-svc"] });
    },
    expected: { "ping@user": { status: "failed", code: "ALEPH_E_CYCLE" }, "pong@user": { status: "failed", code: "ALEPH_E_CYCLE" } },
  },
  {
    name: "shadowed: the user copy owns the id, the project copy is overridden",
    setup: (ws) => {
      writePlugin(join(ws.userDir, "twin"), { id: "twin" });
      writePlugin(join(ws.projectDir, "twin"), { id: "twin" });
    },
    expected: { "twin@user": { status: "active" }, "twin@project": { status: "overridden" } },
  },
];

const key = (row: { id: string; source: string }) => `${row.id}@${row.source}`;
const verdict = (status: string, code: string | undefined): Verdict => (code ? { status, code } : { status });

/** The verdicts each command prints, keyed by id@source, for the copies the case names. */
async function verdicts(ws: Workspace, wanted: string[]): Promise<Record<string, Record<string, Verdict>>> {
  const list = await runCliJson<{ id: string; source: string; status: string; error?: { code: string } }[]>(ws, ["plugins", "list", "--json"]);
  const check = await runCliJson<{ plugins: { id: string; source: string; status: string; code?: string }[] }>(ws, ["config", "check", "--json"]);
  const doctorRun = await runCli(ws, ["doctor", "--json"]);
  const doctor = JSON.parse(doctorRun.stdout) as { findings: { check: string; verdict?: { id: string; source: string; status: string; code?: string } }[] };
  const pick = (rows: [string, Verdict][]) => Object.fromEntries(rows.filter(([k]) => wanted.includes(k)));
  return {
    "plugins list": pick(list.map((r) => [key(r), verdict(r.status, r.error?.code)])),
    "config check": pick(check.plugins.map((r) => [key(r), verdict(r.status, r.code)])),
    doctor: pick(doctor.findings.filter((f) => f.check === "plugins" && f.verdict).map((f) => [key(f.verdict!), verdict(f.verdict!.status, f.verdict!.code)])),
  };
}

describe("plugins list, config check and doctor give one verdict", () => {
  test.each(CASES)("$name", async ({ config, setup, expected }) => {
    const ws = createWorkspace(config === undefined ? {} : { config });
    mkdirSync(ws.staging, { recursive: true });
    setup(ws);
    const seen = await verdicts(ws, Object.keys(expected));
    expect(seen).toEqual({ "plugins list": expected, "config check": expected, doctor: expected });
  });

  test("doctor flags a plugin that would fail and passes one that is disabled or overridden", async () => {
    const ws = createWorkspace({ config: '[extensions]\ndisabled = ["quiet"]\n' });
    writePlugin(join(ws.userDir, "quiet"), { id: "quiet" });
    writePlugin(join(ws.userDir, "future"), { id: "future", api: "^2" });
    const report = await runCliJson(ws, ["doctor", "--json"], 1);
    const plugin = (id: string) => report.findings.find((f: { verdict?: { id: string } }) => f.verdict?.id === id);
    expect(plugin("quiet")).toMatchObject({ ok: true, message: "quiet: disabled: listed in [extensions] disabled" });
    expect(plugin("future")).toMatchObject({ ok: false, message: expect.stringMatching(/^future: ALEPH_E_API: /), fix: expect.any(String) });
  });

  test("config check prints each plugin that will not load as a warning, and does not import it", async () => {
    const ws = createWorkspace({ config: "[future]\nanything = 1\n" });
    writePlugin(join(ws.userDir, "future"), { id: "future", api: "^2", code: `throw new Error("imported");\n` });
    const result = await runCli(ws, ["config", "check"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/warning: plugin future \(user\) will not load: ALEPH_E_API: /);
    expect(result.stderr).not.toMatch(/could not be imported/);
  });

  test("a running kernel reaches the same verdicts (the host plans with the assessment)", async () => {
    const ws = createWorkspace({ config: '[extensions]\ndisabled = ["quiet"]\n' });
    mkdirSync(ws.staging, { recursive: true });
    for (const c of CASES.filter((c) => c.config === undefined)) c.setup(ws);
    writePlugin(join(ws.userDir, "quiet"), { id: "quiet" });
    const wanted = Object.assign({ "quiet@user": { status: "disabled" } }, ...CASES.filter((c) => c.config === undefined).map((c) => c.expected)) as Record<string, Verdict>;
    const offline = await verdicts(ws, Object.keys(wanted));
    expect(offline["plugins list"]).toEqual(wanted);
    const kernel = await startReadyKernel(ws);
    const live = (await kernel.pluginsList()) as { id: string; source: string; status: string; error?: { code: string } }[];
    const rows = Object.fromEntries(live.map((r): [string, Verdict] => [key(r), verdict(r.status, r.error?.code)]).filter(([k]) => k in wanted));
    expect(rows).toEqual(wanted);
    await kernel.stop();
  });
});
