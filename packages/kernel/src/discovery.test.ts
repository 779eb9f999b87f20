import { mkdirSync, mkdtempSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { discoverPlugins, manifestDigest, scanPlugins } from "./discovery.js";

function plugin(dir: string, id: string, extra = "") {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "aleph_plugin.toml"), `[plugin]\nid = "${id}"\nversion = "1.0.0"\n${extra}`);
}

/** A plugin with (or without) its built entry, dist/index.js. */
function runnable(dir: string, id: string, extra = "", withEntry = true) {
  plugin(dir, id, extra);
  if (withEntry) {
    mkdirSync(join(dir, "dist"));
    writeFileSync(join(dir, "dist", "index.js"), "export default { setup() {} };\n");
  }
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

  it("when no copy of an id can run, the strongest owns it and fails loudly", () => {
    const { dirs, paths } = layout();
    plugin(join(dirs.project, "memory"), "memory"); // no entry file
    plugin(join(dirs.user, "memory"), "memory", "bogus = 1\n");
    const found = discoverPlugins(paths);
    const winner = found.winners.get("memory");
    expect(winner?.source).toBe("user");
    expect(winner?.error?.code).toBe("ALEPH_E_MANIFEST");
    expect(found.shadowFailed).toEqual([]);
    expect(found.overridden.map((o) => [o.candidate.source, o.by.source])).toEqual([["project", "user"]]);
  });

  it.each([
    ["a broken manifest", "bogus = 1\n", true, "ALEPH_E_MANIFEST"],
    ["an api range this host does not provide", 'api = "^7"\n', true, "ALEPH_E_API"],
    ["a missing entry file", "", false, "ALEPH_E_ENTRY"],
  ])("a stronger copy with %s fails before setup, and the next copy that can run owns the id", (_what, extra, withEntry, code) => {
    const { base, dirs, paths } = layout();
    runnable(join(dirs.user, "sessions"), "sessions", extra, withEntry);
    runnable(join(dirs.project, "sessions"), "sessions", "", false);
    runnable(join(base, "bundled-sessions"), "sessions");
    runnable(join(base, "bundled-other"), "other");
    const found = discoverPlugins(paths, [join(base, "bundled-sessions"), join(base, "bundled-other")]);
    const winner = found.winners.get("sessions")!;
    expect(winner).toMatchObject({ source: "bundled", dir: join(base, "bundled-sessions") });
    expect(winner.error).toBeUndefined();
    expect(found.shadowFailed.map((s) => [s.candidate.source, s.candidate.error?.code, s.running.dir])).toEqual([
      ["user", code, join(base, "bundled-sessions")],
      ["project", "ALEPH_E_ENTRY", join(base, "bundled-sessions")],
    ]);
    expect(found.overridden).toEqual([]);
    expect(found.winners.get("other")?.error).toBeUndefined();
  });

  it("copies weaker than the one that runs are overridden by it, not by the failed one", () => {
    const { base, dirs, paths } = layout();
    runnable(join(dirs.user, "memory"), "memory", "", false);
    runnable(join(dirs.project, "memory"), "memory");
    runnable(join(base, "bundled-mem"), "memory");
    const found = discoverPlugins(paths, [join(base, "bundled-mem")]);
    expect(found.winners.get("memory")?.source).toBe("project");
    expect(found.shadowFailed.map((s) => s.candidate.source)).toEqual(["user"]);
    expect(found.overridden.map((o) => [o.candidate.source, o.by.source])).toEqual([["bundled", "project"]]);
  });

  it("the copy whose code runs keeps its id through a broken edit, so the host can keep that generation", () => {
    const { base, dirs, paths } = layout();
    runnable(join(dirs.user, "memory"), "memory", "", false); // its dist/ was just deleted by a rebuild
    runnable(join(base, "bundled-mem"), "memory");
    const running = (id: string) => (id === "memory" ? realpathSync(join(dirs.user, "memory")) : undefined);
    const found = discoverPlugins(paths, [join(base, "bundled-mem")], { runningDir: running });
    expect(found.winners.get("memory")).toMatchObject({ source: "user", error: expect.objectContaining({ code: "ALEPH_E_ENTRY" }) });
    expect(found.shadowFailed).toEqual([]);
    // Offline (nothing runs), the same files give the bundled copy.
    expect(discoverPlugins(paths, [join(base, "bundled-mem")]).winners.get("memory")?.source).toBe("bundled");
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

describe("prevalidated bundled manifests", () => {
  it("uses the build's manifest while the file is unchanged, and reads an edited file as any other", () => {
    const { base } = layout();
    const dir = join(base, "bundled-tools");
    runnable(dir, "tools");
    const [parsed] = scanPlugins([], [dir]);
    const text = readFileSync(join(dir, "aleph_plugin.toml"), "utf8");
    // What the build recorded (marked, to see which one the scan used).
    const shipped = { dir, manifestSha256: manifestDigest(text), manifest: { ...parsed!.manifest!, description: "from the build" } };
    const [fromBuild] = scanPlugins([], [shipped]);
    expect(fromBuild).toMatchObject({ source: "bundled", id: "tools", manifest: { description: "from the build" } });
    // Each scan gets its own copy.
    fromBuild!.manifest!.services.provides.push("changed");
    expect(scanPlugins([], [shipped])[0]!.manifest!.services.provides).toEqual([]);

    writeFileSync(join(dir, "aleph_plugin.toml"), `${text}description = "edited"\n`);
    expect(scanPlugins([], [shipped])[0]).toMatchObject({ id: "tools", manifest: { description: "edited" } });
    writeFileSync(join(dir, "aleph_plugin.toml"), `${text}bogus = 1\n`);
    expect(scanPlugins([], [shipped])[0]!.error?.message).toMatch(/bogus/);
  });
});
