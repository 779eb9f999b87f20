/*
 * The CLI's public contract: status, plugins list/inspect, init, config check/schema, exit codes,
 * --help everywhere, and a clean shutdown on SIGTERM/SIGINT.
 */
import { createHash } from "node:crypto";
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, test } from "vitest";
import { BUNDLED_IDS, createWorkspace, entryOf, eventually, kernelChildPid, notBundled, runCli, runCliJson, startKernel, startReadyKernel, type PluginInfo, type Workspace } from "./support/aleph.js";
import { writePlugin } from "./support/plugins.js";

/** path → sha256 (files), "dir" (directories), "-> target" (links) of everything under `dir`. */
function snapshotTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (current: string) => {
    for (const name of readdirSync(current).sort()) {
      const path = join(current, name);
      const rel = relative(dir, path);
      const stat = lstatSync(path);
      if (stat.isSymbolicLink()) out[rel] = `-> ${readlinkSync(path)}`;
      else if (stat.isDirectory()) {
        out[rel] = `dir ${(stat.mode & 0o777).toString(8)}`;
        walk(path);
      } else out[rel] = `${createHash("sha256").update(readFileSync(path)).digest("hex")} ${(stat.mode & 0o777).toString(8)} ${stat.mtimeMs}`;
    }
  };
  walk(dir);
  return out;
}

/** A chain: base provides a; middle requires a, provides b; top requires b. */
function chain(ws: Workspace): void {
  writePlugin(join(ws.userDir, "top"), { id: "top", requires: ["b"] });
  writePlugin(join(ws.userDir, "base"), { id: "base", provides: ["a"] });
  writePlugin(join(ws.userDir, "middle"), { id: "middle", requires: ["a"], provides: ["b"] });
}

describe("aleph status", () => {
  test("status --json while a kernel runs lists its pid, root, plugins and services", async () => {
    const ws = createWorkspace();
    chain(ws);
    const kernel = await startReadyKernel(ws);
    const status = await runCliJson(ws, ["status", "--json"]);
    expect(status).toMatchObject({ running: true, pid: kernel.kernelPid(), root: ws.root, supervisor: { pid: kernel.pid, restarts: 0 } });
    expect(typeof status.uptimeMs).toBe("number");
    const own = status.plugins.filter((p: PluginInfo) => p.source !== "bundled");
    expect(own.map((p: PluginInfo) => p.id).sort()).toEqual(["base", "middle", "top"]);
    for (const p of own) expect(p).toMatchObject({ status: "active", generation: 1, source: "user" });
    expect(status.services.filter((s: { boundTo: string }) => notBundled(s.boundTo))).toEqual([
      { id: "a", boundTo: "base", providers: [{ plugin: "base", priority: 0, source: "user" }] },
      { id: "b", boundTo: "middle", providers: [{ plugin: "middle", priority: 0, source: "user" }] },
    ]);
    const human = await runCli(ws, ["status"]);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(String(kernel.kernelPid()));
    expect(human.stdout).toContain("middle");
  });

  test("status works for a state root whose path is too long for a Unix socket in run/", async () => {
    const ws = createWorkspace();
    const deep = join(ws.base, "a-very-long-directory-name-".repeat(4), "root");
    const env = { ALEPH_STATE_DIR: deep };
    const kernel = startKernel(ws, [], { env });
    await kernel.ready();
    const result = await runCli(ws, ["status", "--json"], { env });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ running: true, pid: kernelChildPid(deep), root: deep });
  });

  test("status without a kernel exits 1; with --json it prints {running: false}", async () => {
    const ws = createWorkspace();
    const json = await runCli(ws, ["status", "--json"]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ running: false });
    const human = await runCli(ws, ["status"]);
    expect(human.code).toBe(1);
    expect(human.stderr).toMatch(/no kernel/i);
  });

  test("status after the kernel stopped exits 1 again", async () => {
    const ws = createWorkspace();
    const kernel = await startReadyKernel(ws);
    await kernel.stop();
    const result = await runCli(ws, ["status", "--json"]);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ running: false });
  });
});

describe("aleph plugins", () => {
  test("plugins list --json without a kernel reports failures from discovery alone, with running false", async () => {
    const ws = createWorkspace();
    writePlugin(join(ws.userDir, "good"), { id: "good" });
    writePlugin(join(ws.userDir, "bad-manifest"), { id: "bad-manifest", pluginExtra: "bogus = 1" });
    writePlugin(join(ws.systemDir, "future"), { id: "future", api: "^2" });
    writePlugin(join(ws.projectDir, "orphan"), { id: "orphan", requires: ["missing-svc"] });
    const list = await runCliJson<PluginInfo[]>(ws, ["plugins", "list", "--json"]);
    expect(entryOf(list, "good")).toMatchObject({ status: "active", source: "user", running: false, path: join(ws.userDir, "good") });
    expect(entryOf(list, "bad-manifest")).toMatchObject({ status: "failed", error: { code: "ALEPH_E_MANIFEST" } });
    expect(entryOf(list, "bad-manifest").error!.message).toContain("bogus");
    expect(entryOf(list, "future")).toMatchObject({ status: "failed", source: "system", error: { code: "ALEPH_E_API" } });
    expect(entryOf(list, "orphan")).toMatchObject({ status: "failed", source: "project", error: { code: "ALEPH_E_DEPENDENCY" } });
    for (const p of list) expect(p.running).toBe(false);
    const human = await runCli(ws, ["plugins", "list"]);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain("ALEPH_E_API");
  });

  test("plugins list --json with a kernel running comes from the kernel: generations and running true", async () => {
    const ws = createWorkspace();
    writePlugin(join(ws.userDir, "good"), { id: "good" });
    writePlugin(join(ws.userDir, "throws"), { id: "throws", code: 'export default { setup() { throw new Error("nope"); } };\n' });
    const kernel = await startReadyKernel(ws);
    const list = await kernel.pluginsList();
    expect(entryOf(list, "good")).toMatchObject({ status: "active", generation: 1, running: true });
    // Only a running kernel can know that setup throws.
    expect(entryOf(list, "throws")).toMatchObject({ status: "failed", running: false, error: { code: "ALEPH_E_SETUP" } });
  });

  test("plugins inspect <id> --json describes one plugin, with or without a kernel; an unknown id exits 1", async () => {
    const ws = createWorkspace();
    writePlugin(join(ws.userDir, "base"), { id: "base", provides: ["a"], priority: 3 });
    const offline = await runCliJson(ws, ["plugins", "inspect", "base", "--json"]);
    expect(offline).toMatchObject({ id: "base", status: "active", provides: ["a"], priority: 3, source: "user" });
    const kernel = await startReadyKernel(ws);
    const live = await runCliJson(ws, ["plugins", "inspect", "base", "--json"]);
    expect(live).toMatchObject({ id: "base", status: "active", generation: 1, provides: ["a"], priority: 3 });
    const missing = await runCli(ws, ["plugins", "inspect", "nope"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("nope");
    expect(kernel.exitInfo).toBeUndefined();
    const usage = await runCli(ws, ["plugins", "inspect"]);
    expect(usage.code).toBe(2);
  });
});

describe("aleph init", () => {
  test("init creates the workspace; running it again changes nothing (same checksums, modes and mtimes)", async () => {
    const ws = createWorkspace();
    const first = await runCli(ws, ["init"]);
    expect(first.code, first.stderr).toBe(0);
    expect(existsSync(ws.configFile)).toBe(true);
    expect(statSync(join(ws.root, "providers.toml")).mode & 0o777).toBe(0o600);
    const before = { root: snapshotTree(ws.root), home: snapshotTree(ws.home) };
    const second = await runCli(ws, ["init"]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/nothing changed/i);
    expect({ root: snapshotTree(ws.root), home: snapshotTree(ws.home) }).toEqual(before);
  });

  test("init without ALEPH_STATE_DIR creates ~/.config/aleph and links ~/.aleph to it; a second init changes nothing", async () => {
    const ws = createWorkspace();
    const env = { ALEPH_STATE_DIR: "" };
    const first = await runCli(ws, ["init"], { env });
    expect(first.code, first.stderr).toBe(0);
    const root = join(ws.home, ".config", "aleph");
    expect(existsSync(join(root, "config.toml"))).toBe(true);
    expect(readlinkSync(join(ws.home, ".aleph"))).toBe(root);
    const before = snapshotTree(ws.home);
    const second = await runCli(ws, ["init"], { env });
    expect(second.code).toBe(0);
    expect(snapshotTree(ws.home)).toEqual(before);
  });

  test("init never overwrites a file the user wrote", async () => {
    const ws = createWorkspace();
    ws.writeConfig("[gateway]\nport = 1234\n");
    const result = await runCli(ws, ["init"]);
    expect(result.code).toBe(0);
    expect(readFileSync(ws.configFile, "utf8")).toBe("[gateway]\nport = 1234\n");
  });

  test("the config.toml that init writes passes config check", async () => {
    const ws = createWorkspace();
    await runCli(ws, ["init"]);
    const check = await runCliJson(ws, ["config", "check", "--json"]);
    expect(check).toMatchObject({ ok: true, errors: [] });
  });
});

describe("aleph config", () => {
  test("config check exits 0 on a valid config and 1 on an invalid one, naming key and line", async () => {
    const ws = createWorkspace({ config: "[gateway]\nport = 18790\n" });
    expect((await runCli(ws, ["config", "check"])).code).toBe(0);
    ws.writeConfig('[gateway]\nport = "x"\n');
    const result = await runCli(ws, ["config", "check", "--json"]);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.ok).toBe(false);
    expect(report.errors).toEqual([expect.objectContaining({ file: ws.configFile, path: "gateway.port", line: 2 })]);
    const human = await runCli(ws, ["config", "check"]);
    expect(human.code).toBe(1);
    expect(human.stderr).toContain(`${ws.configFile}:2`);
  });

  test("config check validates plugin-owned sections by each plugin's schema without running setup; an unimportable plugin is a warning", async () => {
    const ws = createWorkspace({ config: '[sessions]\nsynchronous = "sometimes"\n\n[greeter]\nport = "x"\n\n[broken]\nanything = 1\n' });
    // A plugin with a hand-written Standard Schema, whose setup would leave a mark if it ran.
    writePlugin(join(ws.userDir, "greeter"), {
      id: "greeter",
      code: `import { writeFileSync } from "node:fs";
export default {
  config: { "~standard": { version: 1, vendor: "test", validate: (v) => typeof v.port === "number" ? { value: v } : { issues: [{ message: "port must be a number", path: ["port"] }] } } },
  setup() { writeFileSync(${JSON.stringify(join(ws.root, "setup-ran"))}, "yes"); },
};
`,
    });
    writePlugin(join(ws.userDir, "broken"), { id: "broken", code: 'throw new Error("boom at import");\n' });
    const result = await runCli(ws, ["config", "check", "--json"]);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.errors).toEqual([
      expect.objectContaining({ path: "sessions.synchronous", line: 2, message: expect.stringMatching(/"full"\|"normal".*plugin "sessions"/) }),
      expect.objectContaining({ path: "greeter.port", line: 5, message: 'port must be a number (plugin "greeter")' }),
    ]);
    expect(report.warnings).toEqual([expect.stringMatching(/\[broken\] was not checked: plugin "broken" could not be imported .*boom at import/)]);
    expect(existsSync(join(ws.root, "setup-ran"))).toBe(false);

    ws.writeConfig('[sessions]\nsynchronous = "normal"\n\n[greeter]\nport = 8\n');
    expect((await runCli(ws, ["config", "check"])).code).toBe(0);
  });

  test("config schema prints a JSON Schema that knows the kernel's sections", async () => {
    const ws = createWorkspace();
    const schema = await runCliJson(ws, ["config", "schema"]);
    expect(schema.properties).toHaveProperty("extensions");
    expect(schema.properties).toHaveProperty("gateway");
  });
});

describe("exit codes and help", () => {
  test("an unknown command exits 2", async () => {
    const ws = createWorkspace();
    const result = await runCli(ws, ["frobnicate"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("frobnicate");
    expect((await runCli(ws, ["plugins", "frobnicate"])).code).toBe(2);
  });

  test("an unknown option exits 2, on every command", async () => {
    const ws = createWorkspace();
    for (const args of [["status"], ["start"], ["init"], ["plugins", "list"], ["plugins", "inspect", "x"], ["config", "check"], ["config", "schema"]]) {
      const result = await runCli(ws, [...args, "--no-such-option"]);
      expect(result.code, `aleph ${args.join(" ")} --no-such-option: ${result.stderr}`).toBe(2);
    }
    // A bad option value is a usage error too, and start does not boot.
    const badValue = await runCli(ws, ["start", "--events", "xml"]);
    expect(badValue.code).toBe(2);
    expect(existsSync(ws.lockFile)).toBe(false);
  });

  // Two CLI processes per listed command (about 70 in all): CPU-bound, well past 30 s on a loaded 2-core machine.
  test("--help exits 0 on every command that aleph --help lists", { timeout: 180_000 }, async () => {
    const ws = createWorkspace();
    const general = await runCli(ws, ["--help"]);
    expect(general.code).toBe(0);
    const section = general.stdout.split(/^Commands:$/m)[1]!.split(/\n\s*\n/)[0]!;
    const commands = section
      .split("\n")
      .map((line) => line.trim().split(/\s{2,}/)[0]!)
      .filter(Boolean)
      .map((spec) => spec.split(" ").filter((word) => !word.startsWith("<") && !word.startsWith("[")));
    expect(commands.map((c) => c.join(" "))).toEqual(expect.arrayContaining(["init", "start", "status", "plugins list", "plugins inspect", "config check", "config schema"]));
    for (const command of commands) {
      for (const flag of ["--help", "-h"]) {
        const result = await runCli(ws, [...command, flag]);
        expect(result.code, `aleph ${command.join(" ")} ${flag}: ${result.stderr}`).toBe(0);
        expect(result.stdout).toContain(`aleph ${command.join(" ")}`);
      }
    }
    for (const group of ["plugins", "config"]) expect((await runCli(ws, [group, "--help"])).code).toBe(0);
    expect(existsSync(ws.lockFile), "start --help does not start a kernel").toBe(false);
  });
});

describe("shutdown", () => {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    test(`${signal} unloads every plugin in reverse load order with reason shutdown, then exits 0`, async () => {
      const ws = createWorkspace();
      chain(ws);
      writePlugin(join(ws.userDir, "loner"), { id: "loner" });
      const kernel = await startReadyKernel(ws);
      const loadOrder = kernel.eventsSince(0, "plugin.loaded").map((e) => e.payload.id as string).filter(notBundled);
      expect(loadOrder.indexOf("base")).toBeLessThan(loadOrder.indexOf("middle"));
      expect(loadOrder.indexOf("middle")).toBeLessThan(loadOrder.indexOf("top"));
      expect([...loadOrder].sort()).toEqual(["base", "loner", "middle", "top"]);

      const since = kernel.mark();
      const exit = await kernel.stop(signal);
      expect(exit, kernel.describe(since)).toEqual({ code: 0, signal: null });
      const stopping = kernel.eventsSince(since, "kernel.stopping");
      expect(stopping).toHaveLength(1);
      const unloaded = kernel.eventsSince(since, "plugin.unloaded", (p) => notBundled(p.id));
      expect(unloaded.map((e) => e.payload.reason)).toEqual(["shutdown", "shutdown", "shutdown", "shutdown"]);
      expect(unloaded.map((e) => e.payload.id)).toEqual([...loadOrder].reverse());
      expect(stopping[0]!.index).toBeLessThan(unloaded[0]!.index);
      expect(kernel.strayLines, "stdout holds only JSON events").toEqual([]);
      expect(existsSync(ws.lockFile)).toBe(false);
    });
  }

  test("a plugin whose teardown never finishes does not stop the shutdown: it is reported, the others unload, exit 0", async () => {
    const ws = createWorkspace({ config: "[extensions]\nsetup_timeout_ms = 300\n" });
    writePlugin(join(ws.userDir, "aaa-first"), { id: "aaa-first" });
    writePlugin(join(ws.userDir, "stuck"), { id: "stuck", code: "export default { setup(ctx) { ctx.onDispose(() => new Promise(() => {})); } };\n" });
    const kernel = await startReadyKernel(ws);
    const since = kernel.mark();
    const t0 = performance.now();
    const exit = await kernel.stop("SIGTERM", 10_000);
    expect(exit.code, kernel.describe(since)).toBe(0);
    expect(performance.now() - t0).toBeLessThan(5_000);
    expect(kernel.eventsSince(since, "plugin.unloaded", (p) => notBundled(p.id)).map((e) => [e.payload.id, e.payload.reason]).sort()).toEqual([
      ["aaa-first", "shutdown"],
      ["stuck", "shutdown"],
    ]);
    expect(kernel.eventsSince(since, "plugin.error", (p) => p.id === "stuck"), kernel.describe(since)).toHaveLength(1);
  });

  test("a plugin that leaves a timer running does not keep a stopped kernel alive", async () => {
    const ws = createWorkspace();
    writePlugin(join(ws.userDir, "leaky"), { id: "leaky", code: "export default { setup() { setInterval(() => {}, 1000); } };\n" });
    const kernel = await startReadyKernel(ws);
    const t0 = performance.now();
    const exit = await kernel.stop("SIGTERM", 10_000);
    expect(exit.code).toBe(0);
    expect(performance.now() - t0).toBeLessThan(5_000);
  });

  test("a second SIGINT during a slow shutdown exits at once with code 1", async () => {
    const ws = createWorkspace({ config: "[extensions]\nsetup_timeout_ms = 20000\n" });
    writePlugin(join(ws.userDir, "slow-stop"), {
      id: "slow-stop",
      code: 'export default { setup(ctx) { ctx.onDispose(() => new Promise((r) => setTimeout(r, 15000))); } };\n',
    });
    const kernel = await startReadyKernel(ws);
    kernel.child.kill("SIGINT");
    await kernel.waitForEvent("kernel.stopping", () => true, 5_000);
    const exit = await kernel.stop("SIGINT", 5_000);
    expect(exit.code).toBe(1);
  });

  test("SIGTERM while the kernel is still booting shuts it down cleanly: no kernel.ready after kernel.stopping, nothing left in run/, exit 0", async () => {
    const ws = createWorkspace();
    writePlugin(join(ws.userDir, "slow-setup"), { id: "slow-setup", code: "export default { async setup() { await new Promise((r) => setTimeout(r, 1000)); } };\n" });
    const kernel = startKernel(ws);
    // Wait until the kernel is loading plugins (slow-setup is still in its setup), then stop it mid-boot.
    await kernel.waitForEvent("plugin.loaded", () => true, 10_000);
    const exit = await kernel.stop("SIGTERM", 10_000);
    expect(exit.code, kernel.describe()).toBe(0);
    const names = kernel.events.map((e) => e.event);
    const stoppingAt = names.indexOf("kernel.stopping");
    expect(stoppingAt, kernel.describe()).toBeGreaterThanOrEqual(0);
    expect(names.slice(stoppingAt), `no kernel.ready once stopping\n${kernel.describe()}`).not.toContain("kernel.ready");
    const loaded = kernel.eventsSince(0, "plugin.loaded").map((e) => e.payload.id);
    const unloaded = kernel.eventsSince(0, "plugin.unloaded", (p) => p.reason === "shutdown").map((e) => e.payload.id);
    expect(unloaded.sort()).toEqual(loaded.sort());
    expect(readdirSync(join(ws.root, "run")), "run/ holds no lock, socket or kernel.json of a stopped kernel").toEqual([]);
  });

  test("every stdout line of start --events json is one JSON event; logs go to stderr", async () => {
    const ws = createWorkspace();
    writePlugin(join(ws.userDir, "chatty"), {
      id: "chatty",
      code: `export default { setup(ctx) { ctx.log.info("hello from chatty"); console.error("console from chatty"); } };\n`,
    });
    const kernel = startKernel(ws);
    await kernel.ready();
    await kernel.stop();
    expect(kernel.strayLines).toEqual([]);
    expect(kernel.events.length).toBeGreaterThan(0);
    for (const e of kernel.events) expect(typeof e.payload).toBe("object");
    expect(kernel.stderr).toContain("hello from chatty");
  });

  test("kernel.ready reports the number of active plugins and the boot time", async () => {
    const ws = createWorkspace();
    chain(ws);
    writePlugin(join(ws.userDir, "broken"), { id: "broken", api: "^9" });
    const kernel = await startReadyKernel(ws);
    const ready = kernel.eventsSince(0, "kernel.ready")[0]!;
    expect(ready.payload.plugins).toBe(3 + BUNDLED_IDS.length);
    expect(typeof ready.payload.ms).toBe("number");
  });
});

describe("aleph init (the workspace tree)", () => {
  test("creates keys/ at 0700 and the stores' directories, audits the run, and honours --profile", async () => {
    const ws = createWorkspace();
    const result = await runCli(ws, ["init"]);
    expect(result.code, result.stderr).toBe(0);
    expect(statSync(join(ws.root, "keys")).mode & 0o777).toBe(0o700);
    for (const dir of ["agents", "memory", "skills", "protocols", "chat", "audit", "plugins", "logs", "run"]) expect(statSync(join(ws.root, dir)).isDirectory()).toBe(true);
    const auditDir = join(ws.root, "audit");
    const lines = readdirSync(auditDir).flatMap((f) => readFileSync(join(auditDir, f), "utf8").trim().split("\n")).map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.actor === "cli")).toEqual([expect.objectContaining({ actor: "cli", action: "workspace.init", target: ws.root, ok: true })]);
    expect(lines.filter((l) => l.actor === "workspace").map((l) => l.target)).toEqual(["soul.md", "main"]);
    // The gateway's token (auth is on by default): generated once, 0600, never replaced by a second init.
    const tokenFile = join(ws.root, "keys", "gateway-token");
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    const token = await runCli(ws, ["keys", "get", "gateway-token"]);
    expect(token.stdout.trim()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await runCli(ws, ["init"])).code).toBe(0);
    expect((await runCli(ws, ["keys", "get", "gateway-token"])).stdout).toBe(token.stdout);

    const profiled = await runCli(ws, ["init", "--profile", "work"], { env: { ALEPH_STATE_DIR: "" } });
    expect(profiled.code, profiled.stderr).toBe(0);
    expect(profiled.stdout).toMatch(/aleph-work/);
    const refused = await runCli(ws, ["init", "--profile", "../evil"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/ALEPH_E_INVALID_ID/);
  });
});
