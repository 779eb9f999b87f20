/*
 * What a third-party author does, from the docs alone: `aleph plugins new` (run from this checkout,
 * it packs the @aleph packages into the project's aleph-packages/), then plain `npm install && npm
 * test && npm run build` outside this monorepo, then link the plugin into a running kernel and
 * watch it hot-load and reload on the next build — and run the command it adds to `aleph`.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { createWorkspace, runCli, sleep, startReadyKernel, type Workspace } from "./support/aleph.js";

/** npm in the project, as the author's shell runs it: without the NODE_PATH pnpm's bin shims point at this workspace. */
function run(command: string, args: string[], cwd: string): string {
  const { NODE_PATH: _workspace, ...env } = process.env;
  return execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: { ...env, npm_config_fund: "false", npm_config_audit: "false" } });
}

/**
 * `aleph plugins new` in a fresh directory outside the repository. It runs pnpm (through npx when
 * none is on PATH) under the machine's HOME, so npm finds its cache and its config there, as in
 * the author's own shell; the workspace's HOME is an empty temp directory.
 */
async function scaffold(ws: Workspace, args: string[]): Promise<string> {
  const projects = mkdtempSync(join(tmpdir(), "aleph-author-"));
  const created = await runCli(ws, ["plugins", "new", ...args], { cwd: projects, env: { HOME: homedir() }, timeoutMs: 120_000 });
  expect(created.code, created.stderr).toBe(0);
  return join(projects, args[0]!);
}

/** The @aleph packages npm installed, with where each came from. */
function installedAleph(dir: string): Record<string, string> {
  const lock = JSON.parse(readFileSync(join(dir, "package-lock.json"), "utf8")) as { packages: Record<string, { resolved?: string; version?: string }> };
  return Object.fromEntries(
    Object.entries(lock.packages)
      .filter(([path]) => path.startsWith("node_modules/@aleph/"))
      .map(([path, entry]) => [path.slice("node_modules/".length), entry.resolved ?? entry.version ?? "?"]),
  );
}

describe("aleph plugins new", () => {
  test("a TypeScript plugin project installs, tests, builds, hot-loads and runs its command with plain npm outside the monorepo", { timeout: 300_000 }, async () => {
    const ws = createWorkspace();
    const dir = await scaffold(ws, ["word-smith"]);
    expect(readdirSync(join(dir, "aleph-packages")).sort()).toEqual(["aleph-kernel-0.1.0.tgz", "aleph-node-host-0.1.0.tgz", "aleph-plugin-sdk-0.1.0.tgz", "aleph-testing-0.1.0.tgz"]);
    run("npm", ["install", "--no-fund", "--no-audit"], dir);
    // Every @aleph package, the kernel and Node loader the test kit brings included, comes from the packed tarballs.
    expect(installedAleph(dir)).toEqual({
      "@aleph/kernel": "file:aleph-packages/aleph-kernel-0.1.0.tgz",
      "@aleph/node-host": "file:aleph-packages/aleph-node-host-0.1.0.tgz",
      "@aleph/plugin-sdk": "file:aleph-packages/aleph-plugin-sdk-0.1.0.tgz",
      "@aleph/testing": "file:aleph-packages/aleph-testing-0.1.0.tgz",
    });
    // Nothing to compile: no native module in a plugin project's tree.
    expect(existsSync(join(dir, "node_modules/better-sqlite3"))).toBe(false);
    expect(run("npm", ["test"], dir)).toMatch(/3 passed/);
    run("npm", ["run", "build"], dir);
    run("npm", ["run", "typecheck"], dir);

    // Its command, without a running kernel: the CLI starts one with just this plugin for it.
    symlinkSync(dir, join(ws.userDir, "word-smith"));
    const offline = await runCli(ws, ["word-smith", "greet", "Ada", "--shout"]);
    expect(offline.stdout, offline.stderr).toBe("HELLO, ADA!\n");
    expect((await runCli(ws, ["--help"])).stdout).toMatch(/word-smith greet \[<who>\]\s+Greet someone/);

    // Then into a running kernel: linked after it started, it hot-loads.
    unlinkSync(join(ws.userDir, "word-smith"));
    const kernel = await startReadyKernel(ws);
    symlinkSync(dir, join(ws.userDir, "word-smith"));
    const loaded = await kernel.waitForEvent("plugin.loaded", (p) => p.id === "word-smith", 10_000);
    expect(loaded.payload).toMatchObject({ source: "user", generation: 1 });

    // The author edits the source and rebuilds: the kernel reloads once, with the new code (saving
    // src/index.ts alone reloads nothing: the plugin loads dist/index.js).
    const source = join(dir, "src/index.ts");
    const since = kernel.mark();
    writeFileSync(
      source,
      readFileSync(source, "utf8")
        .replace('default("Hello")', 'default("Bonjour")')
        .replace('ctx.log.info("ready", { generation: ctx.generation });', 'void ctx.events.emit("word-smith.pong", { to: "build", greeting: ctx.config.greeting });'),
    );
    run("npm", ["run", "build"], dir);
    const pong = await kernel.waitForEvent("word-smith.pong", (p) => p.to === "build", 10_000, since);
    expect(pong.payload.greeting).toBe("Bonjour");
    await sleep(600);
    expect(kernel.eventsSince(since, "plugin.loaded", (p) => p.id === "word-smith").map((e) => e.payload.generation), kernel.describe(since)).toEqual([2]);
    // The command reaches the running kernel's generation 2, with the new default greeting.
    const online = await runCli(ws, ["word-smith", "greet", "Ada"]);
    expect(online.stdout, online.stderr).toBe("Bonjour, Ada!\n");
  });

  test("an AssemblyScript plugin project (--wasm) installs, tests, builds and hot-loads with plain npm outside the monorepo", { timeout: 300_000 }, async () => {
    const ws = createWorkspace();
    const dir = await scaffold(ws, ["echo-wasm", "--wasm"]);
    run("npm", ["install", "--no-fund", "--no-audit"], dir);
    expect(Object.keys(installedAleph(dir)).sort()).toEqual(["@aleph/kernel", "@aleph/node-host", "@aleph/plugin-sdk", "@aleph/testing", "@aleph/wasm-host", "@aleph/wasm-pdk"]);
    expect(Object.values(installedAleph(dir)).every((from) => from.startsWith("file:aleph-packages/"))).toBe(true);
    expect(existsSync(join(dir, "node_modules/better-sqlite3"))).toBe(false);
    run("npm", ["run", "build"], dir);
    expect(run("npm", ["test"], dir)).toMatch(/2 passed/);

    const kernel = await startReadyKernel(ws);
    symlinkSync(dir, join(ws.userDir, "echo-wasm"));
    const loaded = await kernel.waitForEvent("plugin.loaded", (p) => p.id === "echo-wasm", 10_000);
    expect(loaded.payload).toMatchObject({ kind: "wasm", generation: 1 });
    const result = await runCli(ws, ["services", "call", "tools", "call", '["echo_wasm_echo", {"text":"hi"}]']);
    expect(JSON.parse(result.stdout)).toEqual({ text: "hi" });

    // Saving assembly/index.ts reloads nothing; the build's plugin.wasm reloads it once, new code.
    const source = join(dir, "assembly/index.ts");
    const since = kernel.mark();
    writeFileSync(source, readFileSync(source, "utf8").replace('.str("text", text)', '.str("text", text + "!")'));
    run("npm", ["run", "build"], dir);
    await kernel.waitForEvent("plugin.loaded", (p) => p.id === "echo-wasm" && p.generation === 2, 10_000, since);
    const again = await runCli(ws, ["services", "call", "tools", "call", '["echo_wasm_echo", {"text":"hi"}]']);
    expect(JSON.parse(again.stdout)).toEqual({ text: "hi!" });
    await sleep(600);
    expect(kernel.eventsSince(since, "plugin.loaded", (p) => p.id === "echo-wasm").map((e) => e.payload.generation), kernel.describe(since)).toEqual([2]);
  });

  test("refuses an existing directory and a name that is not a plugin id, writing nothing", { timeout: 180_000 }, async () => {
    const ws = createWorkspace();
    const projects = mkdtempSync(join(tmpdir(), "aleph-author-"));
    const first = await runCli(ws, ["plugins", "new", "twice"], { cwd: projects, env: { HOME: homedir() }, timeoutMs: 120_000 });
    expect(first.code, first.stderr).toBe(0);
    const again = await runCli(ws, ["plugins", "new", "twice"], { cwd: projects });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already exists/);
    const bad = await runCli(ws, ["plugins", "new", "Bad/Name"], { cwd: projects });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/ALEPH_E_INVALID_ID/);
    expect(readdirSync(projects)).toEqual(["twice"]);
  });
});
