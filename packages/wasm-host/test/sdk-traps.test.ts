// Controls: the traps of @extism/extism 2.0.0-rc13 that the loader works around, shown on the raw
// SDK. If an SDK upgrade fixes one, its test here fails, and the workaround can be reconsidered.
import type { ExtismPluginOptions } from "@extism/extism";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadExtism, type ExtismModule } from "../src/extism.js";
import { kitchenSink } from "./fixtures.js";

let module: WebAssembly.Module;
let createPlugin: ExtismModule["createPlugin"];
const open: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  module = await WebAssembly.compile(await kitchenSink());
  createPlugin = (await loadExtism()).createPlugin; // without the "WASI is experimental" line on stderr
});
afterAll(async () => {
  for (const p of open) await p.close().catch(() => undefined);
});

function functions(overrides: Record<string, (...args: any[]) => any> = {}) {
  const nothing = () => 0n;
  return {
    "extism:host/user": {
      aleph_log: nothing,
      aleph_emit: nothing,
      aleph_config: nothing,
      aleph_kv_get: nothing,
      aleph_kv_set: nothing,
      aleph_call: nothing,
      ...overrides,
    },
  };
}

async function plugin(options: ExtismPluginOptions) {
  const p = await createPlugin(module, options);
  open.push(p);
  return p;
}

const settlesWithin = (promise: Promise<unknown>, ms: number) =>
  Promise.race([promise.then(() => true, () => true), new Promise((r) => setTimeout(() => r(false), ms))]);

describe("@extism/extism 2.0.0-rc13, used directly", () => {
  // ~16k worker round trips: about 15 s on an idle 2-core machine, 50 s under load, so the limit is
  // generous; the loop ends at the overflow either way.
  it("worker mode: without reset() the block table overflows after ~16k calls", { timeout: 300_000 }, async () => {
    const p = await plugin({ runInWorker: true, functions: functions() });
    let failedAt = -1;
    for (let i = 0; i < 40_000; i++) {
      try {
        await p.call("echo", "{}");
      } catch (error) {
        failedAt = i;
        expect(String((error as Error).message)).toMatch(/cannot assign to this block/);
        break;
      }
    }
    expect(failedAt).toBeGreaterThan(10_000);
    expect(failedAt).toBeLessThan(40_000);
  });

  it("worker mode: a host function that throws kills the worker, and later calls never settle", async () => {
    const p = await plugin({ runInWorker: true, functions: functions({ aleph_log: () => { throw new Error("boom"); } }) });
    await expect(p.call("log", "{}")).rejects.toThrow("boom");
    expect(await settlesWithin(p.call("echo", "{}"), 1000)).toBe(false);
  });

  it("worker mode: createPlugin adds its own functions to the functions object it is given", async () => {
    const shared = functions();
    await plugin({ runInWorker: true, functions: shared, allowedHosts: ["a.example.com"] });
    expect(Object.keys(shared)).toContain("extism:host/env");
    expect(Object.keys((shared as Record<string, object>)["extism:host/env"]!)).toEqual(expect.arrayContaining(["http_request", "var_get", "var_set"]));
  });

  it("foreground mode: async host functions need JSPI (Node 23+)", async () => {
    const attempt = createPlugin(module, { functions: functions({ aleph_call: async () => 0n }) });
    if ((WebAssembly as { Suspending?: unknown }).Suspending) await (await attempt).close();
    else await expect(attempt).rejects.toThrow();
  });

  it("timeoutMs is refused without runInWorker, and a timed-out worker comes back as a fresh instance", { timeout: 30_000 }, async () => {
    await expect(createPlugin(module, { functions: functions(), timeoutMs: 100 })).rejects.toThrow(/requires "runInWorker: true"/);
    // The SDK's timeout also covers starting the worker, which takes over 300 ms on a loaded machine.
    const p = await plugin({ runInWorker: true, functions: functions(), timeoutMs: 3000 });
    expect((await p.call("count", ""))!.text()).toBe("1");
    await expect(p.call("spin", "")).rejects.toThrow(/timeout/);
    expect((await p.call("count", ""))!.text()).toBe("1"); // state lost
  });

  it("memory.maxPages does not cap the module's linear memory", async () => {
    const p = await plugin({ functions: functions(), memory: { maxPages: 16 } });
    expect((await p.call("grow", ""))!.text()).toBe('"grown"'); // 64 MiB with a 1 MiB "limit"
  });
});
