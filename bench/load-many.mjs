// load-many: `aleph start` with 50 / 100 / 200 generated trivial plugins in <root>/plugins,
// spawn → kernel.ready (wall) and kernel.ready's own `ms`, against the same run with 0 plugins.
// Budget: 200 plugins ready in under 1 s (wall). Linearity is reported: the per-plugin cost
// above the 0-plugin baseline at each size, and its ratio 200 vs 50 (near 1 = linear). A 1-plugin
// run separates the one-time cost of the first non-bundled plugin (the loader-hooks thread) from
// the per-plugin slope.
import { check, fmtMs, fmtX, main, makeWorkspace, median, note, timeAlephReady, writePlugin } from "./lib.mjs";

const SIZES = [0, 1, 50, 100, 200];
const GATED = [50, 100, 200];
const WARMUP = 1;
const RUNS = Number(process.env.BENCH_LOAD_RUNS ?? 9);
const BUDGET_200_MS = 1000;

main(async () => {
  console.log(`load-many: sizes ${SIZES.join("/")}, ${RUNS} runs each after ${WARMUP} warm-up, interleaved`);
  // One workspace per size, generated once; each run is a fresh process on it.
  const spaces = new Map();
  for (const n of SIZES) {
    const ws = makeWorkspace();
    for (let i = 1; i <= n; i++) writePlugin(ws.root, `p${String(i).padStart(3, "0")}`);
    spaces.set(n, ws);
  }
  const wall = new Map(SIZES.map((n) => [n, []]));
  const ms = new Map(SIZES.map((n) => [n, []]));
  // The bundled set (the tools plugin, …) is active in every run: count the generated plugins above it.
  let bundled;
  for (let round = 0; round < WARMUP + RUNS; round++) {
    // Rotate the order each round so drift spreads over all sizes.
    const order = SIZES.map((_, i) => SIZES[(i + round) % SIZES.length]);
    for (const n of order) {
      const r = await timeAlephReady(spaces.get(n));
      if (n === 0) bundled ??= r.plugins;
      if (bundled !== undefined && r.plugins !== n + bundled) throw new Error(`expected ${n} + ${bundled} bundled active plugins, kernel.ready says ${r.plugins}`);
      if (round < WARMUP) continue;
      wall.get(n).push(r.wall);
      ms.get(n).push(r.ms);
    }
  }
  const W = new Map(SIZES.map((n) => [n, median(wall.get(n))]));
  const M = new Map(SIZES.map((n) => [n, median(ms.get(n))]));
  const w0 = W.get(0);
  const m0 = M.get(0);
  const perW = (n) => (W.get(n) - w0) / n;
  const perM = (n) => (M.get(n) - m0) / n;

  check("load-many", `load-many: 0 plugins (baseline) spawn → kernel.ready ${fmtMs(w0)}, kernel ms ${fmtMs(m0)}`);
  const w1 = W.get(1);
  const m1 = M.get(1);
  note(
    `  1 plugin : spawn → ready ${fmtMs(w1)}, kernel ms ${fmtMs(m1)}: one-time cost of the first user plugin ` +
      `${fmtMs(w1 - w0)} wall, ${fmtMs(m1 - m0)} kernel`,
  );
  const perW1 = (n) => (W.get(n) - w1) / (n - 1);
  const perM1 = (n) => (M.get(n) - m1) / (n - 1);
  for (const n of GATED) {
    note(
      `${String(n).padStart(3)} plugins: spawn → ready ${fmtMs(W.get(n))} (${fmtX(W.get(n) / w0)} of 0-plugin run), ` +
        `kernel ms ${fmtMs(M.get(n))}; per plugin ${perW(n).toFixed(2)} ms wall, ${perM(n).toFixed(2)} ms kernel ` +
        `(above the 1-plugin run: ${perW1(n).toFixed(2)} / ${perM1(n).toFixed(2)} ms)`,
    );
  }
  const w200 = W.get(200);
  check(
    "load-many",
    `load-many: 200 plugins spawn → kernel.ready ${fmtMs(w200)} vs 0 plugins ${fmtMs(w0)} = ${fmtX(w200 / w0)}; ` +
      `kernel ms ${fmtMs(M.get(200))} (budget 200 plugins < ${BUDGET_200_MS} ms)`,
    w200 < BUDGET_200_MS,
  );
  const lin = perW(200) / perW(50);
  const linK = perM(200) / perM(50);
  const marg1 = (M.get(100) - M.get(50)) / 50;
  const marg2 = (M.get(200) - M.get(100)) / 100;
  note(`marginal kernel cost per plugin: 50→100 ${marg1.toFixed(2)} ms, 100→200 ${marg2.toFixed(2)} ms (ratio ${fmtX(marg2 / marg1)})`);
  check(
    "load-many",
    `load-many: linearity, per-plugin cost 200 vs 50 above the 0-plugin baseline: ${perW(200).toFixed(2)} vs ${perW(50).toFixed(2)} ms wall = ${fmtX(lin)} ` +
      `(kernel ms ${fmtX(linK)}); without the one-time first-plugin cost: ${perW1(200).toFixed(2)} vs ${perW1(50).toFixed(2)} ms = ${fmtX(perW1(200) / perW1(50))} ` +
      `(kernel ms ${fmtX(perM1(200) / perM1(50))}) (near 1 = linear; reported, not gated)`,
  );
});
