// fs-tools: read_file of a 4 KB workspace file through Aleph — the tools service (argument
// validation against the tool's JSON Schema), the path guard (realpath of the target and of the
// workspace, the granted roots) and the line slicing — against a bare fs.readFile of the same file
// in the same process. Reported, not budgeted (the issue asks for the figure): the overhead is the
// guard's realpath calls and the registry, which matter only against a model call's latency.
import { mkdirSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { createKernel } from "@aleph/kernel";
import { loadNodePlugin } from "@aleph/node-host";
import { check, fmtX, main, median, tempDir } from "./lib.mjs";

const repo = join(fileURLToPath(new URL(".", import.meta.url)), "..");
const plugins = ["tools", "workspace", "fs-tools"].map((p) => join(repo, "plugins", p));
const CALLS = Number(process.env.BENCH_FS_CALLS ?? 5_000);
const ROUNDS = 5;

async function timeCalls(n, call) {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await call();
  return ((performance.now() - t0) * 1000) / n; // µs per call
}

main(async () => {
  const root = tempDir("aleph-bench-fs-");
  const kernel = createKernel({ env: { ALEPH_STATE_DIR: root, ALEPH_LOG: "error" }, cwd: root, bundled: plugins, searchPaths: [], loaders: { node: loadNodePlugin }, watch: false, lock: false, logToFiles: false });
  await kernel.start();
  const fsTools = kernel.host.list().find((p) => p.id === "fs-tools");
  if (fsTools?.status !== "active") throw new Error(`fs-tools did not load: ${JSON.stringify(fsTools?.error)}`);
  const tools = kernel.host.registry.bound("tools").implementation;
  const workspace = join(root, "agents", "main", "workspace");
  mkdirSync(workspace, { recursive: true });
  const line = "The quick brown fox jumps over the lazy dog, again and again.\n"; // 63 bytes
  const text = line.repeat(Math.ceil(4096 / line.length)).slice(0, 4096);
  const file = join(workspace, "notes.md");
  writeFileSync(file, text);

  // Same content both ways, checked once (read_file drops the last line's newline).
  const viaAleph = await tools.call("read_file", { path: "notes.md" });
  if (viaAleph.content !== text.replace(/\n$/, "")) throw new Error("read_file returned other content than the file's");

  await timeCalls(500, () => tools.call("read_file", { path: "notes.md" }));
  await timeCalls(500, () => readFile(file, "utf8"));
  const aleph = [];
  const bare = [];
  for (let r = 0; r < ROUNDS; r++) {
    aleph.push(await timeCalls(CALLS, () => tools.call("read_file", { path: "notes.md" })));
    bare.push(await timeCalls(CALLS, () => readFile(file, "utf8")));
  }
  await kernel.stop();
  const a = median(aleph);
  const b = median(bare);
  check("fs-tools", `fs-tools: read_file (4 KB) through the tools registry ${a.toFixed(1)} µs vs bare fs.readFile ${b.toFixed(1)} µs = ${fmtX(a / b)} (+${(a - b).toFixed(1)} µs per call; reported)`);
});
