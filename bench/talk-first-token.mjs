// talk-first-token: spawn of `aleph talk -m hi` → the first byte of the answer on its stdout, against
// a serving kernel (`aleph start` on an `aleph init`-ed workspace; talk goes through its control
// socket), the fake's own first-token time taken off; baseline `node -e 0` spawn → exit, interleaved
// in this run; budget ≤ 3×. The fake (OpenAI-compatible, this process) sends its first text chunk
// at once and a second one 200 ms later, so the first token is not the end of the answer. Reported
// too: the same without a running kernel (talk then starts the plugins in its own process).
import { spawn } from "node:child_process";
import { performance } from "node:perf_hooks";
import { providersToml, startFakeOpenAI } from "./fake-openai.mjs";
import { check, CLI, fmtMs, fmtX, kernelEnv, main, median, note, timeNodeNoop } from "./lib.mjs";
import { initedWorkspace, startServingKernel } from "./serving-kernel.mjs";

const BUDGET = 3;
const WARMUP = 3;
const RUNS = Number(process.env.BENCH_TALK_RUNS ?? 15);
const SECOND_CHUNK_MS = 200;
const ANSWER = "Hello there. (more)\n";

/**
 * Spawns `aleph talk -m hi` (each run its own session, so every run sends the same request) and
 * resolves with spawn → first stdout byte, the fake's own part of it, and spawn → request at the fake.
 */
function timeTalk(ws, fake, session) {
  return new Promise((resolve, reject) => {
    const seen = fake.log.length;
    let firstAt = 0;
    let stdout = "";
    let stderr = "";
    const t0 = performance.now();
    const child = spawn(process.execPath, [CLI, "talk", "-m", "hi", "--session", session], { cwd: ws.cwd, env: kernelEnv(ws), stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.on("data", (d) => {
      if (!firstAt) firstAt = performance.now();
      stdout += d;
    });
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("exit", (code) => {
      const requests = fake.log.slice(seen);
      if (code !== 0 || stdout !== ANSWER || requests.length !== 1) {
        reject(new Error(`aleph talk exited ${code}, printed ${JSON.stringify(stdout)}, the fake saw ${requests.length} requests; stderr:\n${stderr}`));
        return;
      }
      const [r] = requests;
      resolve({ first: firstAt - t0, fake: r.firstByte - r.arrived, toRequest: r.arrived - t0 });
    });
  });
}

main(async () => {
  console.log(`talk-first-token: ${RUNS} runs each after ${WARMUP} warm-ups, interleaved with node -e 0`);
  const fake = await startFakeOpenAI({ secondChunkDelayMs: SECOND_CHUNK_MS });
  const served = initedWorkspace({ providers: providersToml(fake) });
  const alone = initedWorkspace({ providers: providersToml(fake) });
  const kernel = await startServingKernel(served, { expectActive: ["agent", "providers"] });
  try {
    for (let i = 0; i < WARMUP; i++) {
      await timeNodeNoop();
      await timeTalk(served, fake, `agent:main:cli:dm:warm-${i}`);
      await timeTalk(alone, fake, `agent:main:cli:dm:warm-${i}`);
    }
    const node = [];
    const remote = [];
    const inProcess = [];
    for (let i = 0; i < RUNS; i++) {
      // The order rotates so drift on the machine hits all three alike.
      const steps = [
        async () => node.push(await timeNodeNoop()),
        async () => remote.push(await timeTalk(served, fake, `agent:main:cli:dm:ftt-${i}`)),
        async () => inProcess.push(await timeTalk(alone, fake, `agent:main:cli:dm:ftt-${i}`)),
      ];
      for (let s = 0; s < steps.length; s++) await steps[(s + i) % steps.length]();
    }
    const n = median(node);
    const ttft = (runs) => median(runs.map((r) => r.first - r.fake));
    const r = ttft(remote);
    const p = ttft(inProcess);
    note(`node -e 0: min ${fmtMs(Math.min(...node))}, max ${fmtMs(Math.max(...node))}`);
    note(`through the kernel: spawn → request at the fake ${fmtMs(median(remote.map((x) => x.toRequest)))} (the CLI starting, connecting, the turn up to its model request), the fake's first token ${fmtMs(median(remote.map((x) => x.fake)))}`);
    note(`in-process: spawn → request at the fake ${fmtMs(median(inProcess.map((x) => x.toRequest)))} (the CLI starting every plugin, then the turn)`);
    check("talk-first-token", `talk-first-token: aleph talk -m hi, spawn → first token through the running kernel ${fmtMs(r)} vs node -e 0 ${fmtMs(n)} = ${fmtX(r / n)} (budget ≤ ${BUDGET}×)`, r / n <= BUDGET);
    check("talk-first-token", `talk-first-token: without a running kernel (plugins in-process) ${fmtMs(p)} = ${fmtX(p / n)} node -e 0 (reported)`);
  } finally {
    await kernel.stop();
    await fake.close();
  }
});
