import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { assessmentRows, assessPlugins } from "./assessment.js";
import { scanPlugins } from "./discovery.js";
import type { PluginSearchPath } from "./paths.js";

/** A plugin directory with a manifest and, unless told otherwise, its entry. */
function plugin(dir: string, id: string, services: { provides?: string[]; requires?: string[] } = {}, extra = "", entry = true): string {
  mkdirSync(dir, { recursive: true });
  const list = (xs: string[] = []) => `[${xs.map((x) => `"${x}"`).join(", ")}]`;
  writeFileSync(join(dir, "aleph_plugin.toml"), `[plugin]\nid = "${id}"\nversion = "1.0.0"\nentry = "index.js"\n${extra}\n[services]\nprovides = ${list(services.provides)}\nrequires = ${list(services.requires)}\n`);
  if (entry) writeFileSync(join(dir, "index.js"), "export default { setup() {} };\n");
  return dir;
}

function layout() {
  const base = mkdtempSync(join(tmpdir(), "aleph-assess-"));
  const user = join(base, "user");
  const project = join(base, "project");
  const bundled = join(base, "bundled");
  for (const d of [user, project, bundled]) mkdirSync(d);
  const paths: PluginSearchPath[] = [
    { source: "user", dir: user },
    { source: "project", dir: project },
  ];
  return { base, user, project, bundled, paths };
}

const on = { enabled: true, disabled: [] as string[] };

describe("assessPlugins", () => {
  it("says a valid plugin loads and names why each other one does not", () => {
    const { base, user, paths } = layout();
    plugin(join(user, "ok"), "ok", { provides: ["ok-svc"] });
    plugin(join(user, "uses-ok"), "uses-ok", { requires: ["ok-svc"] });
    plugin(join(user, "future"), "future", {}, 'api = "^2"');
    plugin(join(user, "unbuilt"), "unbuilt", {}, "", false);
    const escapee = plugin(join(user, "escapee"), "escapee", {}, "", false);
    writeFileSync(join(base, "outside.js"), "export default { setup() {} };\n");
    symlinkSync(join(base, "outside.js"), join(escapee, "index.js"));
    plugin(join(user, "quiet"), "quiet");
    const a = assessPlugins(scanPlugins(paths), { enabled: true, disabled: ["quiet"] });
    const verdict = (id: string) => {
      const v = a.verdicts.get(id)!;
      return v.status === "failed" ? `failed ${v.error.code}` : v.status === "disabled" ? `disabled by ${v.by}` : v.status;
    };
    expect(Object.fromEntries([...a.verdicts.keys()].sort().map((id) => [id, verdict(id)]))).toEqual({
      escapee: "failed ALEPH_E_ENTRY",
      future: "failed ALEPH_E_API",
      ok: "loads",
      quiet: "disabled by extensions.disabled",
      unbuilt: "failed ALEPH_E_ENTRY",
      "uses-ok": "loads",
    });
  });

  it("fails a dependent whose only provider cannot load, naming the provider's failure", () => {
    const { user, paths } = layout();
    plugin(join(user, "old"), "old", { provides: ["svc"] }, 'api = "^2"');
    plugin(join(user, "needs"), "needs", { requires: ["svc"] });
    plugin(join(user, "needs-needs"), "needs-needs", { requires: ["needs-svc"] });
    const a = assessPlugins(scanPlugins(paths), on);
    const needs = a.verdicts.get("needs")!;
    expect(needs.status === "failed" && needs.error.code).toBe("ALEPH_E_DEPENDENCY");
    expect(needs.status === "failed" && needs.error.message).toMatch(/requires service "svc": provider "old" failed \(ALEPH_E_API: /);
    const orphan = a.verdicts.get("needs-needs")!;
    expect(orphan.status === "failed" && orphan.error.message).toMatch(/no plugin provides service "needs-svc"/);
  });

  it("fails every member of a requires cycle and still loads what does not depend on it", () => {
    const { user, paths } = layout();
    plugin(join(user, "a"), "a", { provides: ["a-svc"], requires: ["b-svc"] });
    plugin(join(user, "b"), "b", { provides: ["b-svc"], requires: ["a-svc"] });
    plugin(join(user, "c"), "c");
    const a = assessPlugins(scanPlugins(paths), on);
    for (const id of ["a", "b"]) {
      const v = a.verdicts.get(id)!;
      expect(v.status === "failed" && v.error.code).toBe("ALEPH_E_CYCLE");
    }
    expect(a.verdicts.get("c")).toEqual({ status: "loads" });
  });

  it("with [extensions] enabled = false, a bundled copy owns its id and the user copy is listed disabled by that key", () => {
    const { user, bundled, paths } = layout();
    plugin(join(user, "mem"), "mem");
    const bundledMem = plugin(join(bundled, "mem"), "mem");
    const a = assessPlugins(scanPlugins(paths, [bundledMem]), { enabled: false, disabled: [] });
    expect(a.found.winners.get("mem")?.source).toBe("bundled");
    expect(a.verdicts.get("mem")).toEqual({ status: "loads" });
    expect(assessmentRows(a).map((r) => [r.source, r.status, r.disabledBy])).toEqual([
      ["user", "disabled", "extensions.enabled"],
      ["bundled", "active", undefined],
    ]);
  });

  it("lists a shadowed copy as overridden by the owner, and runs nothing (scanning twice gives the same answer)", () => {
    const { user, project, paths } = layout();
    plugin(join(user, "twin"), "twin");
    plugin(join(project, "twin"), "twin");
    const scanned = scanPlugins(paths);
    const first = assessmentRows(assessPlugins(scanned, on));
    expect(first.map((r) => [r.source, r.status, r.overriddenBy?.source])).toEqual([
      ["user", "active", undefined],
      ["project", "overridden", "user"],
    ]);
    expect(assessmentRows(assessPlugins(scanned, on))).toEqual(first);
  });
});
