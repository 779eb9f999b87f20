// supervision: what `aleph start`'s supervisor costs, and how long a crash keeps the agent away.
// 1. spawn → kernel.ready of `aleph start` against `aleph start --no-supervisor` (the kernel on the
//    main thread, unsupervised), fresh workspace each, interleaved with `node -e 0`: the
//    supervisor's cost is the difference of medians (reported, not gated: startup gates the total).
// 2. crash → ready again: a plugin calls process.exit(3) when the bench emits `bench.crash`
//    (over the control socket); the time from that request to the next kernel.ready on stdout —
//    the supervisor noticing, judging, quarantining the plugin and starting a new kernel thread.
import { connectControl, kernelSocket } from "./control-client.mjs";
import { check, fmtMs, fmtX, main, makeWorkspace, median, note, startAleph, timeAlephReady, timeNodeNoop, writePlugin } from "./lib.mjs";

const RUNS = Number(process.env.BENCH_SUPERVISION_RUNS ?? 12);
const CRASHES = Number(process.env.BENCH_CRASH_RUNS ?? 8);
const WARMUP = 2;

async function supervisorCost() {
  const supervised = [];
  const bare = [];
  const noop = [];
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const order = [
      async () => supervised.push((await timeAlephReady(makeWorkspace())).wall),
      async () => bare.push((await timeAlephReady(makeWorkspace(), { extraArgs: ["--no-supervisor"] })).wall),
      async () => noop.push(await timeNodeNoop()),
    ];
    for (let j = 0; j < order.length; j++) await order[(i + j) % order.length]();
    if (i < WARMUP) {
      supervised.length = 0;
      bare.length = 0;
      noop.length = 0;
    }
  }
  const s = median(supervised);
  const b = median(bare);
  const n = median(noop);
  note(`aleph start ${fmtMs(s)} (${fmtX(s / n)}), --no-supervisor ${fmtMs(b)} (${fmtX(b / n)}), node -e 0 ${fmtMs(n)}`);
  check("supervision", `supervisor's cost on aleph start → kernel.ready: ${fmtMs(s - b)} = ${fmtX((s - b) / n)} node -e 0 (median of ${RUNS})`);
}

const CRASHER = `export default {
  setup(ctx) { ctx.events.on("bench.crash", () => process.exit(3)); },
};
`;

async function crashToReady() {
  const samples = [];
  for (let i = 0; i < CRASHES; i++) {
    const ws = makeWorkspace();
    writePlugin(ws.root, "crasher", { body: CRASHER });
    const k = startAleph(ws);
    try {
      const first = await k.ready();
      const from = k.events.indexOf(first) + 1;
      const client = await connectControl(kernelSocket(ws.root));
      const t = performance.now();
      client.request("events.emit", { event: "bench.crash", payload: {} }).catch(() => undefined);
      const again = await k.waitFor((e) => e.event === "kernel.ready", { from, timeoutMs: 20_000 });
      client.close();
      const restarted = k.events.find((e) => e.event === "kernel.restarted");
      if (!restarted || restarted.payload.blamed !== "crasher") throw new Error(`expected kernel.restarted blaming crasher; stderr:\n${k.stderr}`);
      samples.push(again.t - t);
    } finally {
      await k.stop();
    }
  }
  const sorted = [...samples].sort((a, b) => a - b);
  check("supervision", `crash (a plugin's process.exit) → kernel.ready again: median ${fmtMs(median(samples))}, max ${fmtMs(sorted.at(-1))} (${CRASHES} crashes)`);
}

main(async () => {
  await supervisorCost();
  await crashToReady();
});
