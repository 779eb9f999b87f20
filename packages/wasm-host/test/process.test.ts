// The process exits by itself after kernel.stop(): no worker, timer or handle is left behind, even
// with a plugin timed out and restarted and a call still running at shutdown. Nothing reaches stderr.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { fileTool, kitchenSink, kitchenTools, tempRoot, writePlugin } from "./fixtures.js";

const dist = fileURLToPath(new URL("../dist/index.js", import.meta.url));
const child = fileURLToPath(new URL("./child/kernel-run.mjs", import.meta.url));
let t: ReturnType<typeof tempRoot>;

beforeAll(async () => {
  if (!existsSync(dist)) throw new Error("build the package first (pnpm build): this test runs dist/ in a child process");
  t = tempRoot();
  const wasm = await kitchenSink();
  writePlugin(t.plugins, { id: "slowtimer", timeoutMs: 20_000, optional: ["tools"], tools: kitchenTools("slowtimer", ["echo"]) }, wasm);
  writePlugin(t.plugins, { id: "quick", timeoutMs: 200, optional: ["tools"], tools: kitchenTools("quick", ["echo", "spin"]) }, wasm);
  writePlugin(t.plugins, { id: "hang", requires: ["calc"], optional: ["tools"], tools: kitchenTools("hang", ["spin"]) }, wasm);
  writePlugin(t.plugins, { id: "fg", optional: ["tools"], tools: kitchenTools("fg", ["echo"]) }, wasm);
  writePlugin(t.plugins, { id: "files", allowedPaths: { ".": "/data" }, optional: ["tools"], tools: { files_read: "fs_read" } }, await fileTool());
  mkdirSync(join(t.root, "data", "files"), { recursive: true });
  writeFileSync(join(t.root, "data", "files", "hello.json"), '{"hello":"file"}');
});
afterAll(() => t?.cleanup());

it("exits by itself right after kernel.stop(), with nothing on stderr", async () => {
  const proc = spawn(process.execPath, [child, t.root], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NODE_OPTIONS: "" } });
  let stdout = "";
  let stderr = "";
  let stoppedAt = 0;
  proc.stdout.on("data", (d: Buffer) => {
    stdout += d;
    if (!stoppedAt && stdout.includes("STOPPED")) stoppedAt = performance.now();
  });
  proc.stderr.on("data", (d: Buffer) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => {
    const kill = setTimeout(() => proc.kill("SIGKILL"), 30_000);
    proc.on("exit", (c) => {
      clearTimeout(kill);
      resolve(c);
    });
  });
  const exitMs = performance.now() - stoppedAt;
  expect(stderr).toBe("");
  expect(code).toBe(0);
  expect(stoppedAt).toBeGreaterThan(0);
  const report = JSON.parse(stdout.split("\n")[0]!);
  expect(report).toMatchObject({
    plugins: { slowtimer: "active", quick: "active", hang: "active", fg: "active", files: "active" },
    timeout: "ALEPH_E_TIMEOUT",
    afterTimeout: { ok: 1 },
    file: { ok: true, content: '{"hello":"file"}' },
    fg: { fg: true },
    hanging: "ALEPH_E_SERVICE", // the call still running at shutdown was stopped, not left hanging
  });
  expect(report.stopMs).toBeLessThan(3000); // the running call is given teardownTimeoutMs (500 ms)
  console.log(`kernel.stop() took ${report.stopMs} ms; the process exited ${exitMs.toFixed(0)} ms after it`);
  expect(exitMs).toBeLessThan(1500); // timeout_ms is 20 s: a leaked per-call timer would hold the process that long
});
