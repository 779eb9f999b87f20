import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { discoverPlugins } from "./discovery.js";

function plugin(dir: string, id: string, extra = "") {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "aleph_plugin.toml"), `[plugin]\nid = "${id}"\nversion = "1.0.0"\n${extra}`);
}

function layout() {
  const base = mkdtempSync(join(tmpdir(), "aleph-disc-"));
  const dirs = { user: join(base, "user"), system: join(base, "system"), project: join(base, "project") };
  for (const d of Object.values(dirs)) mkdirSync(d);
  const paths = [
    { source: "user" as const, dir: dirs.user },
    { source: "system" as const, dir: dirs.system },
    { source: "project" as const, dir: dirs.project },
  ];
  return { base, dirs, paths };
}

describe("discoverPlugins", () => {
  it("lets the highest-precedence source own an id and reports the others overridden by it", () => {
    const { base, dirs, paths } = layout();
    plugin(join(dirs.project, "mem"), "memory");
    plugin(join(dirs.user, "my-mem"), "memory");
    plugin(join(base, "bundled-mem"), "memory");
    const found = discoverPlugins(paths, [join(base, "bundled-mem")]);
    expect(found.winners.get("memory")?.source).toBe("user");
    expect(found.overridden.map((o) => [o.candidate.source, o.by.source])).toEqual([
      ["project", "user"],
      ["bundled", "user"],
    ]);
  });

  it("accepts aleph.plugin.toml and skips hidden directories, node_modules and plain files", () => {
    const { dirs, paths } = layout();
    mkdirSync(join(dirs.user, "alt"));
    writeFileSync(join(dirs.user, "alt", "aleph.plugin.toml"), `[plugin]\nid = "alt"\nversion = "1.0.0"\n`);
    plugin(join(dirs.user, ".hidden"), "hidden");
    plugin(join(dirs.user, "node_modules"), "nm");
    writeFileSync(join(dirs.user, "stray.toml"), "x");
    mkdirSync(join(dirs.user, "no-manifest"));
    expect([...discoverPlugins(paths).winners.keys()]).toEqual(["alt"]);
  });

  it("counts a directory reachable from two search paths once, in the stronger one", () => {
    const { dirs, paths } = layout();
    plugin(join(dirs.project, "shared"), "shared");
    symlinkSync(join(dirs.project, "shared"), join(dirs.user, "shared"));
    const found = discoverPlugins(paths);
    expect(found.winners.get("shared")?.source).toBe("user");
    expect(found.overridden).toEqual([]);
  });

  it("reports a second directory with the same id in one source as a duplicate", () => {
    const { dirs, paths } = layout();
    plugin(join(dirs.user, "a"), "same");
    plugin(join(dirs.user, "b"), "same");
    const found = discoverPlugins(paths);
    expect(found.winners.get("same")?.dir).toBe(join(dirs.user, "a"));
    expect(found.duplicates[0]?.error?.code).toBe("ALEPH_E_DUPLICATE");
  });

  it("keeps a broken override in charge of its id so it fails loudly", () => {
    const { dirs, paths } = layout();
    plugin(join(dirs.project, "memory"), "memory");
    plugin(join(dirs.user, "memory"), "memory", "bogus = 1\n");
    const found = discoverPlugins(paths);
    const winner = found.winners.get("memory");
    expect(winner?.source).toBe("user");
    expect(winner?.error?.code).toBe("ALEPH_E_MANIFEST");
  });

  it("names an unreadable manifest after its directory", () => {
    const { dirs, paths } = layout();
    mkdirSync(join(dirs.user, "broken"));
    writeFileSync(join(dirs.user, "broken", "aleph_plugin.toml"), "[plugin\n");
    expect(discoverPlugins(paths).winners.get("broken")?.error?.code).toBe("ALEPH_E_MANIFEST");
  });

  it("treats a missing search path as empty", () => {
    expect(discoverPlugins([{ source: "system", dir: "/nonexistent/aleph" }]).winners.size).toBe(0);
  });
});
