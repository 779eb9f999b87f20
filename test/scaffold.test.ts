/*
 * What a third-party author does: `aleph plugins new`, then plain `npm install && npm run build &&
 * npm test` outside this monorepo (the SDK and kernel installed from tarballs packed from the
 * workspace, as from a registry), then link the plugin into a running kernel and watch it hot-load
 * and reload on the next build.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, test } from "vitest";
import { createWorkspace, runCli, sleep, startReadyKernel } from "./support/aleph.js";

const repo = resolve(fileURLToPath(new URL(".", import.meta.url)), "..");
const packs = mkdtempSync(join(tmpdir(), "aleph-packs-"));

function run(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, npm_config_fund: "false", npm_config_audit: "false" } });
}

beforeAll(() => {
  // pnpm pack rewrites workspace: ranges into real ones, as a published package has them.
  for (const pkg of ["packages/plugin-sdk", "packages/kernel", "packages/wasm-host", "packages/wasm-pdk"]) run("npx", ["-y", "pnpm@10.24.0", "pack", "--pack-destination", packs], join(repo, pkg));
}, 120_000);

describe("aleph plugins new", () => {
  test("a TypeScript plugin project builds, tests and hot-loads with plain npm outside the monorepo", { timeout: 240_000 }, async () => {
    const ws = createWorkspace();
    const projects = mkdtempSync(join(tmpdir(), "aleph-author-"));
    const created = await runCli(ws, ["plugins", "new", "word-smith"], { cwd: projects });
    expect(created.code, created.stderr).toBe(0);
    const dir = join(projects, "word-smith");
    const tarball = (prefix: string) => join(packs, readdirSync(packs).find((f) => f.startsWith(prefix))!);
    run("npm", ["pkg", "set", `dependencies.@aleph/plugin-sdk=file:${tarball("aleph-plugin-sdk-")}`, `devDependencies.@aleph/kernel=file:${tarball("aleph-kernel-")}`], dir);
    run("npm", ["install", "--no-fund", "--no-audit"], dir);
    run("npm", ["run", "build"], dir);
    const tested = run("npm", ["test"], dir);
    expect(tested).toMatch(/2 passed/);

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
  });

  test("an AssemblyScript plugin project (--wasm) builds, tests and hot-loads with plain npm outside the monorepo", { timeout: 240_000 }, async () => {
    const ws = createWorkspace();
    const projects = mkdtempSync(join(tmpdir(), "aleph-author-"));
    const created = await runCli(ws, ["plugins", "new", "echo-wasm", "--wasm"], { cwd: projects });
    expect(created.code, created.stderr).toBe(0);
    const dir = join(projects, "echo-wasm");
    const tarball = (prefix: string) => `file:${join(packs, readdirSync(packs).find((f) => f.startsWith(prefix))!)}`;
    run(
      "npm",
      [
        "pkg",
        "set",
        `dependencies.@aleph/wasm-pdk=${tarball("aleph-wasm-pdk-")}`,
        `devDependencies.@aleph/plugin-sdk=${tarball("aleph-plugin-sdk-")}`,
        `devDependencies.@aleph/kernel=${tarball("aleph-kernel-")}`,
        `devDependencies.@aleph/wasm-host=${tarball("aleph-wasm-host-")}`,
      ],
      dir,
    );
    run("npm", ["install", "--no-fund", "--no-audit"], dir);
    run("npm", ["run", "build"], dir);
    expect(run("npm", ["test"], dir)).toMatch(/2 passed/);

    const kernel = await startReadyKernel(ws);
    symlinkSync(dir, join(ws.userDir, "echo-wasm"));
    const loaded = await kernel.waitForEvent("plugin.loaded", (p) => p.id === "echo-wasm", 10_000);
    expect(loaded.payload).toMatchObject({ kind: "wasm", generation: 1 });
    const result = await runCli(ws, ["tools", "call", "echo_wasm_echo", '{"text":"hi"}']);
    expect(JSON.parse(result.stdout)).toEqual({ text: "hi" });

    // Saving assembly/index.ts reloads nothing; the build's plugin.wasm reloads it once, new code.
    const source = join(dir, "assembly/index.ts");
    const since = kernel.mark();
    writeFileSync(source, readFileSync(source, "utf8").replace('.str("text", text)', '.str("text", text + "!")'));
    run("npm", ["run", "build"], dir);
    await kernel.waitForEvent("plugin.loaded", (p) => p.id === "echo-wasm" && p.generation === 2, 10_000, since);
    const again = await runCli(ws, ["tools", "call", "echo_wasm_echo", '{"text":"hi"}']);
    expect(JSON.parse(again.stdout)).toEqual({ text: "hi!" });
    await sleep(600);
    expect(kernel.eventsSince(since, "plugin.loaded", (p) => p.id === "echo-wasm").map((e) => e.payload.generation), kernel.describe(since)).toEqual([2]);
  });

  test("refuses an existing directory and a name that is not a plugin id, writing nothing", async () => {
    const ws = createWorkspace();
    const projects = mkdtempSync(join(tmpdir(), "aleph-author-"));
    expect((await runCli(ws, ["plugins", "new", "twice"], { cwd: projects })).code).toBe(0);
    const again = await runCli(ws, ["plugins", "new", "twice"], { cwd: projects });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already exists/);
    const bad = await runCli(ws, ["plugins", "new", "Bad/Name"], { cwd: projects });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/ALEPH_E_INVALID_ID/);
    expect(readdirSync(projects)).toEqual(["twice"]);
  });
});
