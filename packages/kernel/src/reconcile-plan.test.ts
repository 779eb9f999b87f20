import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AlephError, type AlephErrorCode } from "@aleph/plugin-sdk";
import { describe, expect, it } from "vitest";
import { assessPlugins } from "./assessment.js";
import { scanPlugins } from "./discovery.js";
import type { PluginRecord } from "./plugin-record.js";
import { planReconcile } from "./reconcile-plan.js";

function userDir(plugins: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "aleph-plan-"));
  for (const [id, extra] of Object.entries(plugins)) {
    mkdirSync(join(dir, id));
    writeFileSync(join(dir, id, "aleph_plugin.toml"), `[plugin]\nid = "${id}"\nversion = "1.0.0"\nentry = "index.js"\n${extra}`);
    writeFileSync(join(dir, id, "index.js"), "export default { setup() {} };\n");
  }
  return dir;
}

function plan(dir: string, records: Map<string, PluginRecord>, disabled: string[] = [], changed: string[] = []) {
  const assessment = assessPlugins(scanPlugins([{ source: "user", dir }]), { enabled: true, disabled });
  return { assessment, plan: planReconcile({ assessment, records, changed: new Set(changed), all: false, restartSameCode: new Set() }) };
}

describe("planReconcile", () => {
  it("plans to load what is new and to leave a disabled plugin alone, changing no record", () => {
    const dir = userDir({ fresh: "", off: "" });
    const records = new Map<string, PluginRecord>();
    const { plan: p } = plan(dir, records, ["off"]);
    expect([...p.load]).toEqual(["fresh"]);
    expect([...p.disable]).toEqual([["off", "extensions.disabled"]]);
    expect(p.stop.size).toBe(0);
    expect(records.size).toBe(0);
  });

  it("retries a plugin that failed for a dependency, and not one whose setup threw, until its files change", () => {
    const dir = userDir({ waiting: "", broken: "" });
    const { assessment } = plan(dir, new Map());
    const failed = (id: string, code: AlephErrorCode): PluginRecord => ({
      id,
      candidate: assessment.found.winners.get(id)!,
      state: { status: "failed", error: new AlephError(code, "x") },
      generation: 0,
      attempts: 1,
    });
    const records = new Map([
      ["waiting", failed("waiting", "ALEPH_E_DEPENDENCY")],
      ["broken", failed("broken", "ALEPH_E_SETUP")],
    ]);
    expect([...plan(dir, records).plan.load]).toEqual(["waiting"]);
    expect([...plan(dir, records, [], [join(dir, "broken")]).plan.load].sort()).toEqual(["broken", "waiting"]);
  });

  it("plans a failure before setup for an api mismatch, and loads nothing of it", () => {
    const dir = userDir({ future: 'api = "^2"\n' });
    const { plan: p } = plan(dir, new Map());
    expect(p.invalid.get("future")?.code).toBe("ALEPH_E_API");
    expect(p.load.size).toBe(0);
  });
});
