// Runs the benchmarks (all, or those named: `node run.mjs startup event-bus`), each in its own
// Node process, one after another; prints a summary and exits 1 if any budget was missed or a
// bench crashed — after running every bench that was asked for.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";

const here = fileURLToPath(new URL(".", import.meta.url));

/** name → node flags. Order is the run order. */
const BENCHES = {
  startup: [],
  "cli-commands": [],
  "load-many": [],
  "hot-reload": [],
  "event-bus": [],
  "reload-heap": ["--expose-gc"],
  "wasm-tool-call": [],
  "wasm-load-many": [],
  "sessions-append": [],
  "chat-post": [],
  "agent-turn": [],
  "talk-first-token": [],
  supervision: [],
  "memory-graph": [],
  "memory-search": [],
  "memory-import": [],
  skills: [],
  "fs-tools": [],
  mcp: [],
  "gateway-rpc": [],
  "gateway-load": [],
  "control-page": [],
};

const args = process.argv.slice(2);
if (args.includes("--help") || args.includes("-h")) {
  console.log(`usage: node run.mjs [bench…]\nbenches: ${Object.keys(BENCHES).join(", ")}`);
  process.exit(0);
}
const unknown = args.filter((a) => !(a.replace(/\.mjs$/, "") in BENCHES));
if (unknown.length > 0) {
  console.error(`unknown bench ${unknown.map((u) => `"${u}"`).join(", ")}; known: ${Object.keys(BENCHES).join(", ")}`);
  process.exit(2);
}
const selected = args.length > 0 ? args.map((a) => a.replace(/\.mjs$/, "")) : Object.keys(BENCHES);

const cli = join(here, "node_modules", "@aleph", "cli");
if (!existsSync(cli)) console.warn(`warning: ${cli} is missing; run \`pnpm install\` and \`pnpm build\` first`);

const reportDir = mkdtempSync(join(tmpdir(), "aleph-bench-report-"));
process.on("exit", () => rmSync(reportDir, { recursive: true, force: true }));

function runOne(name) {
  const report = join(reportDir, `${name}.jsonl`);
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [...BENCHES[name], join(here, `${name}.mjs`)], {
      cwd: here,
      stdio: "inherit",
      env: { ...process.env, ALEPH_BENCH_REPORT: report },
    });
    child.on("exit", (code, signal) => {
      const results = existsSync(report)
        ? readFileSync(report, "utf8")
            .split("\n")
            .filter(Boolean)
            .map((l) => JSON.parse(l))
        : [];
      resolve({ name, code, signal, seconds: (performance.now() - t0) / 1000, results });
    });
  });
}

const started = performance.now();
const runs = [];
for (const name of selected) {
  console.log(`\n=== ${name} ===`);
  runs.push(await runOne(name));
}

console.log(`\n=== summary (${((performance.now() - started) / 1000).toFixed(1)} s) ===`);
let failed = 0;
let errors = 0;
for (const run of runs) {
  for (const r of run.results) console.log(`${r.verdict === "FAIL" ? "✗" : r.verdict === "PASS" ? "✓" : "·"} ${r.line}`);
  const fails = run.results.filter((r) => r.verdict === "FAIL").length;
  failed += fails;
  if (run.code !== 0 && !(run.code === 1 && fails > 0)) {
    errors += 1;
    console.log(`✗ ${run.name}: ERROR (exit ${run.signal ?? run.code}) after ${run.seconds.toFixed(1)} s; see its output above`);
  }
}
const gated = runs.flatMap((r) => r.results).filter((r) => r.verdict !== "INFO").length;
console.log(`${gated - failed}/${gated} budgets met${errors ? `, ${errors} bench(es) crashed` : ""}`);
process.exitCode = failed > 0 || errors > 0 ? 1 : 0;
