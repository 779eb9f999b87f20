/*
 * The supervised kernel's watchdog thread (supervised-child.ts starts it with `eval`: no file to
 * find next to the bundle). It reads the shared activity slots (plugin-activity.ts) and writes the
 * crash note (supervision-protocol.ts) itself, because the main thread may be stuck:
 *
 * - stall: the heartbeat counter has not moved for half the stall timeout → the plugin in the
 *   owner slot is the suspect (the supervisor kills the kernel at the full timeout);
 * - heap: the heap gauge is at half its limit or more (V8's limit counts the young generation
 *   too: a kernel dies of OOM with the gauge near 65%) → it names the plugin seen running most
 *   in the owner slot (sampled every 2 ms) since the gauge crossed 30%. A kernel that then dies of OOM is
 *   blamed on it; one that recovers simply leaves the note unused.
 * Either blame is a suspicion, counted toward [extensions] quarantine_after.
 *
 * It also ends a kernel whose supervisor is gone (its parent changed) and whose main thread has
 * not stopped it within a few seconds: a stuck orphan would otherwise spin forever.
 */
export const WATCHDOG_SOURCE = `
const { workerData, parentPort } = require("node:worker_threads");
const { writeFileSync, renameSync } = require("node:fs");
const { join } = require("node:path");
const slots = new Int32Array(workerData.shared);
const owners = new Map();
let files = {};
parentPort.on("message", (m) => {
  if (m.owner) owners.set(m.owner.index, m.owner.id);
  if (m.files) files = m.files;
});
function note(kind, plugin, detail) {
  const file = join(workerData.runDir, "kernel-crash.json");
  const value = { pid: workerData.pid, kind, certain: false, detail };
  if (plugin !== undefined) { value.plugin = plugin; if (files[plugin]) value.files = files[plugin]; }
  try {
    writeFileSync(file + ".tmp-w", JSON.stringify(value), { mode: 0o600 });
    renameSync(file + ".tmp-w", file);
  } catch {}
}
let lastBeat = Atomics.load(slots, 1);
let lastBeatAt = Date.now();
let stallNoted = false;
const samples = new Map();
let heapNoted = 0;
const parent = process.ppid;
let orphanedAt = 0;
function tick() {
  const now = Date.now();
  if (process.ppid !== parent) {
    if (orphanedAt === 0) orphanedAt = now;
    else if (now - orphanedAt > 5000) process.kill(workerData.pid, "SIGKILL");
  }
  const beat = Atomics.load(slots, 1);
  if (beat !== lastBeat) { lastBeat = beat; lastBeatAt = now; stallNoted = false; }
  else if (!stallNoted && now - lastBeatAt >= workerData.stallMs) {
    stallNoted = true;
    const plugin = owners.get(Atomics.load(slots, 0));
    note("stall", plugin, "the event loop stopped for " + Math.round((now - lastBeatAt) / 1000) + " s" + (plugin ? " while plugin \\"" + plugin + "\\" was running" : ""));
  }
  const heap = Atomics.load(slots, 2);
  if (heap >= 30) {
    const owner = Atomics.load(slots, 0);
    if (owner > 0) samples.set(owner, (samples.get(owner) || 0) + 1);
    if (heap >= 50 && now - heapNoted > 250) {
      let best, most = 0;
      for (const [owner, n] of samples) if (n > most) { most = n; best = owner; }
      if (best !== undefined) { heapNoted = now; const plugin = owners.get(best); note("heap", plugin, "the heap reached " + heap + "% of its cap while plugin \\"" + plugin + "\\" was running most"); }
    }
  } else if (samples.size > 0) samples.clear();
  setTimeout(tick, heap >= 30 ? 2 : 100);
}
tick();
`;
