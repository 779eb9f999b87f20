// startup: wall time from spawning `aleph start --events json --no-watch` to its kernel.ready
// line on stdout (bundled set, fresh empty workspace each run), against spawning `node -e 0`
// to its exit. Both are measured interleaved in this run; the figure is the ratio of medians.
// The same start watching (plain `aleph start`: plugin search paths and config files watched for
// hot reload) is measured interleaved too, with the same budget.
// Per plugin: the same start with that plugin alone in `[extensions] disabled` — its cost is
// what the full set loses without it (the configuration people run), budget ≤ 0.1× node -e 0 each.
// A plugin others require goes with them (MEASURES below). (Removing plugins one after another instead — a growing list — put a ~10 ms step on
// whichever plugin brought the set past 9 plugins, wherever it stood in the list: the heap then
// crosses V8's first full-GC threshold before ready. That step belongs to the set, not to a plugin.)
// Their import and setup times as the kernel reports them (`status` over the control socket,
// PluginInfo.timings) are printed beside it.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { connectControl, kernelSocket } from "./control-client.mjs";
import { check, fmtMs, fmtX, main, makeWorkspace, median, note, startAleph, timeAlephReady, timeNodeNoop } from "./lib.mjs";

const BUDGET = 4;
const PER_PLUGIN_BUDGET = 0.1;
const WARMUP = 3;
const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 20);
/**
 * Each bundled plugin's cost: the start with it disabled against the start without it but with
 * everything else (`with` and `without` are [extensions] disabled lists; [] is the full set). A
 * leaf (nothing requires it) is disabled alone against the full set. A plugin others require goes
 * with them — disabling it alone would fail its users and time that too: channels is measured with
 * the channel plugins gone, agent with everything using it gone, providers with agent's set gone too.
 */
const LEAVES = ["mcp", "web-fetch", "shell", "fs-tools", "skills", "memory", "gateway", "telegram", "discord", "cron"];
const CHANNEL_PLUGINS = ["telegram", "discord"];
const AGENT_USERS = ["skills", "memory", "channels", ...CHANNEL_PLUGINS];
const MEASURES = [
  ...LEAVES.map((id) => ({ id, with: [], without: [id] })),
  { id: "channels", with: CHANNEL_PLUGINS, without: [...CHANNEL_PLUGINS, "channels"] },
  { id: "agent", with: AGENT_USERS, without: [...AGENT_USERS, "agent"] },
  { id: "providers", with: [...AGENT_USERS, "agent"], without: [...AGENT_USERS, "agent", "providers"] },
];
const CHAIN = MEASURES.map((m) => m.id);
/** Every disabled list measured, once each (the full set is measured on its own). */
const WITHOUT = [...new Map(MEASURES.flatMap((m) => [m.with, m.without]).filter((d) => d.length > 0).map((d) => [d.join(","), d])).values()];
const setIndex = (disabled) => WITHOUT.findIndex((d) => d.join(",") === disabled.join(","));

/** A fresh workspace whose config.toml disables `ids` (none: no config.toml, as before). */
function workspace(disabled = []) {
  const ws = makeWorkspace();
  if (disabled.length) writeFileSync(join(ws.root, "config.toml"), `[extensions]\ndisabled = ${JSON.stringify(disabled)}\n`);
  return ws;
}

/** Spawn → kernel.ready like timeAlephReady, then (off the clock) the plugins' timings from `status`. */
async function timeReadyWithTimings(ws) {
  const k = startAleph(ws);
  try {
    const ready = await k.ready();
    const client = await connectControl(kernelSocket(ws.root));
    const status = await client.request("status");
    client.close();
    const timings = Object.fromEntries(status.plugins.filter((p) => p.status === "active").map((p) => [p.id, p.timings]));
    return { wall: ready.t - k.t0, ms: ready.payload.ms, plugins: ready.payload.plugins, timings };
  } finally {
    await k.stop();
  }
}

main(async () => {
  console.log(`startup: ${RUNS} runs each after ${WARMUP} warm-ups, interleaved (node -e 0; bundled set; ${WITHOUT.map((d) => `without ${d.join(", ")}`).join("; ")})`);
  for (let i = 0; i < WARMUP; i++) {
    await timeNodeNoop();
    await timeAlephReady(workspace());
    for (const disabled of WITHOUT) await timeAlephReady(workspace(disabled));
  }
  const node = [];
  const sets = { full: { wall: [], ms: [] }, watching: { wall: [], ms: [] } };
  const without = WITHOUT.map(() => ({ wall: [], ms: [] }));
  const timings = Object.fromEntries(CHAIN.map((id) => [id, { importMs: [], setupMs: [] }]));
  let plugins = 0;
  for (let i = 0; i < RUNS; i++) {
    const steps = [
      async () => node.push(await timeNodeNoop()),
      async () => {
        const r = await timeReadyWithTimings(workspace());
        sets.full.wall.push(r.wall);
        sets.full.ms.push(r.ms);
        plugins = r.plugins;
        for (const id of CHAIN) {
          timings[id].importMs.push(r.timings[id]?.importMs ?? NaN);
          timings[id].setupMs.push(r.timings[id]?.setupMs ?? NaN);
        }
      },
      async () => {
        const r = await timeAlephReady(workspace(), { watch: true });
        sets.watching.wall.push(r.wall);
        sets.watching.ms.push(r.ms);
      },
      ...WITHOUT.map((disabled, j) => async () => {
        const r = await timeAlephReady(workspace(disabled));
        without[j].wall.push(r.wall);
        without[j].ms.push(r.ms);
      }),
    ];
    // The order rotates each round so drift on the machine hits every side alike.
    for (let s = 0; s < steps.length; s++) await steps[(s + i) % steps.length]();
  }
  const n = median(node);
  const a = median(sets.full.wall);
  const ratio = a / n;
  note(`aleph start → kernel.ready: min ${fmtMs(Math.min(...sets.full.wall))}, max ${fmtMs(Math.max(...sets.full.wall))}; kernel's own ms (median) ${median(sets.full.ms)} ms; plugins active: ${plugins}`);
  note(`node -e 0: min ${fmtMs(Math.min(...node))}, max ${fmtMs(Math.max(...node))}`);
  check("startup", `startup: aleph start → kernel.ready ${fmtMs(a)} vs node -e 0 ${fmtMs(n)} = ${fmtX(ratio)} (budget ≤ ${BUDGET}×)`, ratio <= BUDGET);
  // Plain `aleph start` also watches the plugin search paths and the config files (hot reload).
  const w = median(sets.watching.wall);
  check("startup", `startup: aleph start watching (the default) → kernel.ready ${fmtMs(w)} (kernel ms ${median(sets.watching.ms)}) = ${fmtX(w / n)} (budget ≤ ${BUDGET}×)`, w / n <= BUDGET);

  const measured = (disabled) => (disabled.length === 0 ? sets.full : without[setIndex(disabled)]);
  const perPlugin = MEASURES.map((m) => ({ id: m.id, with: measured(m.with), without: measured(m.without) }));
  note(WITHOUT.map((d, i) => `without ${d.join(", ")} ${fmtMs(median(without[i].wall))} (kernel ms ${median(without[i].ms)})`).join("; "));
  for (const p of perPlugin) {
    const added = median(p.with.wall) - median(p.without.wall);
    const addedKernel = median(p.with.ms) - median(p.without.ms);
    const t = timings[p.id];
    // The kernel imports plugins side by side, so a plugin's importMs overlaps the others': not additive.
    note(`${p.id}: as the kernel reports it (status, median) import ${fmtMs(median(t.importMs))} + setup ${fmtMs(median(t.setupMs))} (imports overlap: not additive); kernel.ready's own ms +${addedKernel.toFixed(1)} ms`);
    check(
      "startup",
      `startup: ${p.id} adds ${fmtMs(added)} to aleph start (with ${fmtMs(median(p.with.wall))}, without ${fmtMs(median(p.without.wall))}) = ${fmtX(added / n)} node -e 0 (budget ≤ ${PER_PLUGIN_BUDGET}×)`,
      added / n <= PER_PLUGIN_BUDGET,
    );
  }
});
