// 50,000 calls into one plugin in each mode: no failure (worker mode would overflow Extism's block
// table at ~16k calls without resets) and no unbounded memory.
import { describe, expect, it } from "vitest";
import { kitchenSink, kitchenTools, writePlugin, type ManifestSpec } from "./fixtures.js";
import { startKernel, teardownAfterEachTest, testRoot, type Harness } from "./harness.js";

let h: Harness | undefined;
teardownAfterEachTest();

const gc = (globalThis as { gc?: () => void }).gc;

function memory() {
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, rss: m.rss, external: m.external + m.arrayBuffers };
}

const MB = 1024 * 1024;
const CALLS = 50_000;

describe.each([
  ["foreground", {}],
  ["worker", { timeoutMs: 10_000 }],
] as [string, Partial<ManifestSpec>][])("%s mode", (mode, limits) => {
  it(`serves ${CALLS} calls with bounded memory`, async () => {
    const t = testRoot();
    writePlugin(t.plugins, { id: "p", optional: ["tools"], tools: kitchenTools("p", ["echo", "kv_get", "count"]), hooks: [{ event: "test.ping", handler: "echo" }], ...limits }, await kitchenSink());
    h = await startKernel(t.root);
    const echo = h.tools.tools.get("p_echo")!.tool.handler;

    const warm = 5_000;
    for (let i = 0; i < warm; i++) await echo({ i }, {});
    const before = memory();
    let mid = before;
    const started = performance.now();
    for (let i = warm; i < CALLS; i++) {
      const out = (await echo({ i, pad: "x".repeat(i % 64) }, {})) as { i: number };
      if (out.i !== i) throw new Error(`call ${i} answered ${JSON.stringify(out)}`);
      if (i === (warm + CALLS) / 2) mid = memory();
    }
    const perCall = ((performance.now() - started) / (CALLS - warm)) * 1000;
    const after = memory();

    // calls that go through host functions (each stores an answer) and through the event bus
    const hostStarted = performance.now();
    const hostCalls = mode === "worker" ? 3_000 : 10_000;
    let slowest = 0;
    for (let i = 0; i < hostCalls; i++) {
      const t0 = performance.now();
      await h.call("p_kv_get", { key: "absent" });
      slowest = Math.max(slowest, performance.now() - t0);
    }
    const perHostCall = ((performance.now() - hostStarted) / hostCalls) * 1000;
    // Worker mode: without Runner.kickWorker, the SDK's hand-over of host answers loses a wake-up
    // now and then and the call stalls for 500 ms.
    // (A stall is 500 ms; below that, a slow call is the machine's load, not the bug.)
    expect(slowest).toBeLessThan(450);
    const hookStarted = performance.now();
    for (let i = 0; i < 2_000; i++) await h.kernel.bus.emit("test.ping", { i });
    const perHook = ((performance.now() - hookStarted) / 2_000) * 1000;

    expect(await h.call("p_count")).toBe(1); // the same instance served everything
    expect(h.events.some((e) => e.event === "plugin.error")).toBe(false);
    const growth = { heap: (after.heap - before.heap) / MB, rss: (after.rss - before.rss) / MB, external: (after.external - before.external) / MB };
    const secondHalfRss = (after.rss - mid.rss) / MB;
    console.log(
      `[${mode}] ${perCall.toFixed(1)} µs/call (echo, via the tools service); ${perHostCall.toFixed(1)} µs/call with one host function (slowest ${slowest.toFixed(1)} ms); ${perHook.toFixed(1)} µs/hook; ` +
        `growth over ${CALLS - warm} calls: heap ${growth.heap.toFixed(1)} MB, external ${growth.external.toFixed(1)} MB, rss ${growth.rss.toFixed(1)} MB (second half ${secondHalfRss.toFixed(1)} MB)`,
    );
    expect(growth.heap).toBeLessThan(8);
    expect(growth.external).toBeLessThan(8);
    // RSS also holds the worker thread's own V8 heap, which we cannot collect from here. It grows in
    // steps and then settles: on Node 20 by ~20k calls (+23 MB); on Node 24 in steps up to ~250k
    // calls, then flat (a 600k-call run: 113 → 202 → 223 → 275 → 326 MB at 0/50k/100k/200k/250k, and
    // 327 MB at 600k). So worker mode gets a wider bound; a per-call leak of the payloads would still
    // show in heap/external above.
    // Foreground: V8 may grow its young generation to full size once, late: a one-time RSS step of
    // 16 MB (the semi-space), seen in the second half with heap and external flat (-0.1 / 0.0 MB) —
    // more often since the start heap shrank (zod/mini). A leak grows heap and external, bounded above.
    const [rssBound, secondHalfBound] = mode === "worker" ? [128, 64] : [64, 24];
    expect(growth.rss).toBeLessThan(rssBound);
    expect(secondHalfRss).toBeLessThan(secondHalfBound);
  });
});
