// wasm-tool-call: one tool call through Aleph — the tools service (argument validation against the
// tool's JSON Schema, JSON in and out) into a WASM export run by the WASM host — against a direct
// Extism call of the same export of the same module, in the same mode, in the same process.
// Both modes are measured: foreground (hello-wasm without [limits]) and worker (with timeout_ms).
// Budget: Aleph ≤ 1.5× the direct call, in each mode. Also reported: against a Node tool
// (hello-node's word_count through the same registry).
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import createPlugin from "@extism/extism";
import { createKernel } from "@aleph/kernel";
import { loadNodePlugin } from "@aleph/node-host";
import { createWasmLoader, planMode } from "@aleph/wasm-host";
import { check, fmtX, main, median, note, tempDir } from "./lib.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const repo = join(here, "..");
const toolsDir = join(repo, "plugins/tools");
const helloWasm = join(repo, "plugins/examples/hello-wasm");
const helloNode = join(repo, "plugins/examples/hello-node");
const BUDGET = 1.5;
const CALLS = { foreground: Number(process.env.BENCH_WASM_CALLS ?? 20_000), worker: Number(process.env.BENCH_WASM_WORKER_CALLS ?? 2_000) };
const ROUNDS = 5;
const args = { text: "the quick brown fox jumps over the lazy dog" };

/** A copy of hello-wasm whose manifest asks for the given mode ([limits] decides it). */
function helloWasmCopy(mode) {
  const dir = join(tempDir("aleph-bench-wasm-"), "hello-wasm");
  cpSync(helloWasm, dir, { recursive: true, filter: (src) => !src.includes("node_modules") });
  const manifest = readFileSync(join(dir, "aleph_plugin.toml"), "utf8");
  // Foreground: no timeout and no required service (the tools.list call in activate then answers an error, which it tolerates).
  const edited = mode === "worker" ? manifest : manifest.replace(/\[limits\][^[]*/, "").replace('requires = ["tools"]', "requires = []");
  writeFileSync(join(dir, "aleph_plugin.toml"), edited);
  return dir;
}

async function kernelWith(plugins) {
  const root = tempDir("aleph-bench-root-");
  const kernel = createKernel({
    env: { ALEPH_STATE_DIR: root, ALEPH_LOG: "error" },
    cwd: root,
    bundled: plugins,
    searchPaths: [],
    loaders: { node: loadNodePlugin, wasm: createWasmLoader() },
    watch: false,
    lock: false,
    logToFiles: false,
  });
  await kernel.start();
  return kernel;
}

async function timeCalls(n, call) {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await call();
  return ((performance.now() - t0) * 1000) / n; // µs per call
}

async function measureMode(mode) {
  const dir = helloWasmCopy(mode);
  const kernel = await kernelWith([toolsDir, dir]);
  const info = kernel.host.list().find((p) => p.id === "hello-wasm");
  if (info?.status !== "active") throw new Error(`hello-wasm did not load: ${JSON.stringify(info?.error)}`);
  const manifest = kernel.host.list().find((p) => p.id === "hello-wasm");
  const plan = planMode(kernel.host.instanceOf("hello-wasm").manifest, {});
  if (plan.worker !== (mode === "worker")) throw new Error(`expected ${mode} mode, the loader chose ${plan.worker ? "worker" : "foreground"}`);
  const tools = kernel.host.registry.bound("tools").implementation;
  const direct = await createPlugin({ wasm: [{ data: readFileSync(join(dir, "plugin.wasm")) }] }, {
    useWasi: true,
    runInWorker: mode === "worker",
    functions: { "extism:host/user": Object.fromEntries(["aleph_log", "aleph_emit", "aleph_config", "aleph_kv_get", "aleph_kv_set", "aleph_call"].map((f) => [f, () => 0n])) },
  });
  const input = JSON.stringify(args);
  const n = CALLS[mode];
  // Same result both ways, checked once.
  const viaAleph = await tools.call("word_count", args);
  const viaExtism = JSON.parse((await direct.call("word_count", input)).text());
  if (JSON.stringify(viaAleph) !== JSON.stringify(viaExtism)) throw new Error(`results differ: ${JSON.stringify(viaAleph)} vs ${JSON.stringify(viaExtism)}`);
  const aleph = [];
  const raw = [];
  await timeCalls(Math.min(n, 500), () => tools.call("word_count", args));
  await timeCalls(Math.min(n, 500), () => direct.call("word_count", input));
  for (let r = 0; r < ROUNDS; r++) {
    aleph.push(await timeCalls(n, () => tools.call("word_count", args)));
    raw.push(await timeCalls(n, async () => JSON.parse((await direct.call("word_count", input)).text())));
  }
  await direct.close();
  await kernel.stop();
  return { aleph: median(aleph), raw: median(raw), reason: plan.reason };
}

async function measureNodeTool() {
  const kernel = await kernelWith([toolsDir, helloNode]);
  const tools = kernel.host.registry.bound("tools").implementation;
  await timeCalls(2000, () => tools.call("word_count", args));
  const xs = [];
  for (let r = 0; r < ROUNDS; r++) xs.push(await timeCalls(CALLS.foreground, () => tools.call("word_count", args)));
  await kernel.stop();
  return median(xs);
}

main(async () => {
  const nodeTool = await measureNodeTool();
  for (const mode of ["foreground", "worker"]) {
    const { aleph, raw, reason } = await measureMode(mode);
    note(`${mode}: the loader's reason: ${reason}`);
    const ratio = aleph / raw;
    check(
      "wasm-tool-call",
      `wasm-tool-call (${mode}): tools.call → WASM export ${aleph.toFixed(1)} µs vs direct Extism call ${raw.toFixed(1)} µs = ${fmtX(ratio)} (budget ≤ ${BUDGET}×); Node tool through the same registry ${nodeTool.toFixed(1)} µs (WASM/Node ${fmtX(aleph / nodeTool)})`,
      ratio <= BUDGET,
    );
  }
});
