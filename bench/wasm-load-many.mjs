// wasm-load-many: a kernel started in this process with 200 trivial WASM plugins (a module whose
// only export is a no-op `activate`) against the same with 200 trivial Node plugins, measured in
// the same run: total time of kernel.start() and the cost per plugin (above an empty kernel).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { createKernel } from "@aleph/kernel";
import { loadNodePlugin } from "@aleph/node-host";
import { createWasmLoader } from "@aleph/wasm-host";
import { check, fmtMs, fmtX, main, median, note, tempDir } from "./lib.mjs";

const COUNT = Number(process.env.BENCH_WASM_PLUGINS ?? 200);
const RUNS = 5;

// (module (func (export "activate") (result i32) i32.const 0)), assembled by hand.
const TRIVIAL_WASM = Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f, // type section: () -> i32
  0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
  0x07, 0x0c, 0x01, 0x08, ...Buffer.from("activate"), 0x00, 0x00, // export "activate" = func 0
  0x0a, 0x06, 0x01, 0x04, 0x00, 0x41, 0x00, 0x0b, // code: i32.const 0
]);

function pluginsDir(kind, count) {
  const dir = tempDir(`aleph-bench-${kind}-`);
  for (let i = 0; i < count; i++) {
    const id = `${kind}-${String(i).padStart(3, "0")}`;
    mkdirSync(join(dir, id));
    if (kind === "wasm") {
      writeFileSync(join(dir, id, "aleph_plugin.toml"), `[plugin]\nid = "${id}"\nversion = "1.0.0"\nkind = "wasm"\n`);
      writeFileSync(join(dir, id, "plugin.wasm"), TRIVIAL_WASM);
    } else {
      writeFileSync(join(dir, id, "aleph_plugin.toml"), `[plugin]\nid = "${id}"\nversion = "1.0.0"\nentry = "index.js"\n`);
      writeFileSync(join(dir, id, "index.js"), "export default { setup(ctx) { ctx.events.on('x', () => {}); } };\n");
    }
  }
  return dir;
}

async function timeStart(dir) {
  const root = tempDir("aleph-bench-root-");
  const kernel = createKernel({
    env: { ALEPH_STATE_DIR: root, ALEPH_LOG: "error" },
    cwd: root,
    searchPaths: [{ source: "user", dir }],
    loaders: { node: loadNodePlugin, wasm: createWasmLoader() },
    watch: false,
    lock: false,
    logToFiles: false,
  });
  const t0 = performance.now();
  await kernel.start();
  const ms = performance.now() - t0;
  const active = kernel.host.list().filter((p) => p.status === "active").length;
  await kernel.stop();
  return { ms, active };
}

main(async () => {
  const empty = tempDir("aleph-bench-empty-");
  const dirs = { wasm: pluginsDir("wasm", COUNT), node: pluginsDir("node", COUNT) };
  // Warm-up: the first WASM load imports Extism; the first plugin import starts the loader hooks.
  await timeStart(pluginsDir("wasm", 2));
  await timeStart(pluginsDir("node", 2));
  const figures = { empty: [], wasm: [], node: [] };
  for (let r = 0; r < RUNS; r++) {
    figures.empty.push((await timeStart(empty)).ms);
    for (const kind of ["wasm", "node"]) {
      const { ms, active } = await timeStart(dirs[kind]);
      if (active !== COUNT) throw new Error(`${kind}: ${active} of ${COUNT} plugins active`);
      figures[kind].push(ms);
    }
  }
  const base = median(figures.empty);
  const wasm = median(figures.wasm);
  const node = median(figures.node);
  note(`empty kernel start ${fmtMs(base)}; medians of ${RUNS} runs`);
  const perWasm = (wasm - base) / COUNT;
  const perNode = (node - base) / COUNT;
  check(
    "wasm-load-many",
    `wasm-load-many: ${COUNT} WASM plugins load in ${fmtMs(wasm)} (${perWasm.toFixed(2)} ms each) vs ${COUNT} Node plugins ${fmtMs(node)} (${perNode.toFixed(2)} ms each) = ${fmtX(perWasm / perNode)} per plugin (reported)`,
  );
});
