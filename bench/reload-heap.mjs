// reload-heap: heap growth of hot reload, in-process (node --expose-gc). A kernel with one plugin
// whose module graph is two files (index.js imports ./lib.js, which holds a 256 KiB table so a
// retained generation is visible) is reloaded 100 times with kernel.host.reload(id); heapUsed
// after GC is taken at 0, 20, 50, 100 reloads. Baseline, measured first on the same kernel:
// 100 emits to the plugin and no reload. Reported, not gated.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { createKernel } from "@aleph/kernel";
import { loadNodePlugin } from "@aleph/node-host";
import { check, fmtBytes, main, makeWorkspace, note, writePlugin } from "./lib.mjs";

if (typeof globalThis.gc !== "function") {
  // Re-run this file with --expose-gc (run.mjs passes it; this covers `node reload-heap.mjs`).
  const r = spawnSync(process.execPath, ["--expose-gc", fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: "inherit" });
  process.exit(r.status ?? 2);
}

const ID = "heap";
const CHECKPOINTS = [0, 20, 50, 100];
const TABLE_BYTES = 32768 * 8;

const INDEX = `import { table, stamp } from "./lib.js";
export default {
  async setup(ctx) {
    ctx.events.on("bench.ping", (p) => { p.sum += table[p.i % table.length]; });
    await ctx.events.emit("bench.ran", { stamp });
  },
};
`;
const LIB = `// Second module of the plugin's graph: re-evaluated on every reload.
export const table = Array.from({ length: ${TABLE_BYTES / 8} }, (_, i) => i * 1.5); // on the JS heap (a typed array's store would not be)
export const stamp = Math.random();
`;

async function heap() {
  for (let i = 0; i < 4; i++) {
    globalThis.gc();
    await new Promise((r) => setImmediate(r));
  }
  return process.memoryUsage();
}

main(async () => {
  console.log(`reload-heap: 1 plugin (2-file module graph), ${CHECKPOINTS.at(-1)} reloads vs ${CHECKPOINTS.at(-1)} emits, heapUsed after gc`);
  const ws = makeWorkspace();
  writePlugin(ws.root, ID, { body: INDEX, extraFiles: { "lib.js": LIB } });
  const kernel = createKernel({
    env: { ALEPH_STATE_DIR: ws.root, HOME: ws.home },
    cwd: ws.cwd,
    searchPaths: [{ source: "user", dir: join(ws.root, "plugins") }],
    loaders: { node: loadNodePlugin },
    watch: false,
    control: false,
    lock: false,
    logToFiles: false,
  });
  const stamps = new Set();
  let generation = 0;
  kernel.bus.onAny((event, payload) => {
    if (event === "bench.ran") stamps.add(payload.stamp);
    if (event === "plugin.loaded" && payload.id === ID) generation = payload.generation;
    if (event === "plugin.failed") throw new Error(`plugin failed: ${JSON.stringify(payload)}`);
  });
  const ready = await kernel.start();
  if (ready.plugins !== 1) throw new Error(`expected 1 active plugin, got ${ready.plugins}`);
  try {
    // Warm-up: a few emits and reloads so one-time costs (loader hooks thread, JIT) are paid before
    // either series starts.
    for (let i = 0; i < 3; i++) await kernel.host.reload(ID);
    for (let i = 0; i < 20; i++) await kernel.bus.emit("bench.ping", { i, sum: 0 });

    const series = async (label, op) => {
      const points = [];
      let done = 0;
      for (const at of CHECKPOINTS) {
        for (; done < at; done++) await op(done);
        const m = await heap();
        points.push({ at, heapUsed: m.heapUsed, rss: m.rss });
      }
      const first = points[0];
      const last = points.at(-1);
      const perOp = (last.heapUsed - first.heapUsed) / (last.at - first.at);
      note(`${label}: ` + points.map((p) => `${p.at}: ${fmtBytes(p.heapUsed)}`).join(", ") + ` (rss ${fmtBytes(first.rss)} → ${fmtBytes(last.rss)})`);
      return { points, perOp, rssPerOp: (last.rss - first.rss) / (last.at - first.at) };
    };

    const base = await series("baseline, emits", async (i) => {
      await kernel.bus.emit("bench.ping", { i, sum: 0 });
    });
    const gen0 = generation;
    const stamps0 = stamps.size;
    const t0 = performance.now();
    const rel = await series("reloads", async () => {
      await kernel.host.reload(ID);
    });
    const reloadMs = (performance.now() - t0) / CHECKPOINTS.at(-1);
    const reloads = generation - gen0;
    const fresh = stamps.size - stamps0;
    if (reloads !== CHECKPOINTS.at(-1)) throw new Error(`expected ${CHECKPOINTS.at(-1)} reloads, generation went ${gen0} → ${generation}`);
    note(`${reloads} reloads, ${fresh} fresh evaluations of lib.js (whole module graph reloaded: ${fresh === reloads ? "yes" : "NO"}), ~${reloadMs.toFixed(1)} ms per reload incl. gc pauses`);
    const excess = rel.perOp - base.perOp;
    note(
      `per-reload growth ${fmtBytes(rel.perOp)} (rss ${fmtBytes(rel.rssPerOp)}); lib.js's table is ${fmtBytes(TABLE_BYTES)}` +
        (excess > TABLE_BYTES / 2 ? ": old generations stay reachable (their module graph is retained)" : ": old generations are collected"),
    );
    check(
      "reload-heap",
      `reload-heap: heapUsed growth ${fmtBytes(rel.perOp)}/reload (100 reloads: +${fmtBytes(rel.points.at(-1).heapUsed - rel.points[0].heapUsed)}) ` +
        `vs ${fmtBytes(base.perOp)}/emit (100 emits: +${fmtBytes(base.points.at(-1).heapUsed - base.points[0].heapUsed)}) ` +
        `= ${fmtBytes(excess)} per reload above baseline (reported, not gated)`,
    );
  } finally {
    await kernel.stop();
  }
});
