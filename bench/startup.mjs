// startup: wall time from spawning `aleph start --events json --no-watch` to its kernel.ready
// line on stdout (bundled set, fresh empty workspace each run), against spawning `node -e 0`
// to its exit. Both are measured interleaved in this run; the figure is the ratio of medians.
import { check, fmtMs, fmtX, main, makeWorkspace, median, note, timeAlephReady, timeNodeNoop } from "./lib.mjs";

const BUDGET = 4;
const WARMUP = 3;
const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 20);

main(async () => {
  console.log(`startup: ${RUNS} runs each after ${WARMUP} warm-ups, interleaved`);
  for (let i = 0; i < WARMUP; i++) {
    await timeNodeNoop();
    await timeAlephReady(makeWorkspace());
  }
  const node = [];
  const aleph = [];
  const kernelMs = [];
  let plugins = 0;
  for (let i = 0; i < RUNS; i++) {
    // Alternate which goes first so drift on the machine hits both alike.
    const ws = makeWorkspace();
    if (i % 2 === 0) node.push(await timeNodeNoop());
    const r = await timeAlephReady(ws);
    aleph.push(r.wall);
    kernelMs.push(r.ms);
    plugins = r.plugins;
    if (i % 2 === 1) node.push(await timeNodeNoop());
  }
  const a = median(aleph);
  const n = median(node);
  const ratio = a / n;
  note(`aleph start → kernel.ready: min ${fmtMs(Math.min(...aleph))}, max ${fmtMs(Math.max(...aleph))}; kernel's own ms (median) ${median(kernelMs)} ms; plugins active: ${plugins}`);
  note(`node -e 0: min ${fmtMs(Math.min(...node))}, max ${fmtMs(Math.max(...node))}`);
  check(
    "startup",
    `startup: aleph start → kernel.ready ${fmtMs(a)} vs node -e 0 ${fmtMs(n)} = ${fmtX(ratio)} (budget ≤ ${BUDGET}×)`,
    ratio <= BUDGET,
  );
});
