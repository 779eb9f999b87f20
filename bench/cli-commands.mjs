// cli-commands: `aleph --help` (lists every command, the plugins' read from their manifests) and
// `aleph sessions list` without a running kernel (starts a kernel in its process that loads only
// the sessions plugin and what it requires), each against `node -e 0`, interleaved in this run.
// Budget: --help ≤ 2× node -e 0; sessions list is reported.
import { spawn } from "node:child_process";
import { performance } from "node:perf_hooks";
import { check, CLI, fmtMs, fmtX, kernelEnv, main, makeWorkspace, median, note, timeNodeNoop } from "./lib.mjs";

const HELP_BUDGET = 2;
const WARMUP = 3;
const RUNS = Number(process.env.BENCH_CLI_RUNS ?? 20);

function timeCli(ws, args) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ws.cwd, env: kernelEnv(ws), stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve(performance.now() - t0) : reject(new Error(`aleph ${args.join(" ")} exited ${code}: ${stderr}`))));
  });
}

main(async () => {
  console.log(`cli-commands: ${RUNS} runs each after ${WARMUP} warm-ups, interleaved`);
  const ws = makeWorkspace();
  for (let i = 0; i < WARMUP; i++) {
    await timeNodeNoop();
    await timeCli(ws, ["--help"]);
    await timeCli(ws, ["sessions", "list"]);
  }
  const node = [];
  const help = [];
  const list = [];
  for (let i = 0; i < RUNS; i++) {
    node.push(await timeNodeNoop());
    help.push(await timeCli(ws, ["--help"]));
    list.push(await timeCli(ws, ["sessions", "list"]));
  }
  const n = median(node);
  const h = median(help);
  const l = median(list);
  note(`node -e 0: min ${fmtMs(Math.min(...node))}, max ${fmtMs(Math.max(...node))}`);
  check("cli-commands", `aleph --help ${fmtMs(h)} vs node -e 0 ${fmtMs(n)} = ${fmtX(h / n)} (budget ≤ ${HELP_BUDGET}×)`, h / n <= HELP_BUDGET);
  check("cli-commands", `aleph sessions list without a kernel (only the sessions plugin loads) ${fmtMs(l)} = ${fmtX(l / n)} node -e 0 (reported)`);
});
