import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createKernel, type InlinePlugin, type Kernel } from "@aleph/kernel";
import type { PluginContext } from "@aleph/plugin-sdk";
import { afterEach } from "vitest";
import { createWasmLoader, type WasmLoaderOptions } from "../src/index.js";
import { fakeTools, tempRoot } from "./fixtures.js";

export interface Event {
  event: string;
  payload: any;
}

export interface Harness {
  kernel: Kernel;
  events: Event[];
  tools: ReturnType<typeof fakeTools>;
  /** Calls of the "calc" service, and events the bystander Node plugin saw. */
  calc: { calls: string[] };
  bystander: { pings: number };
  call(tool: string, args?: unknown): Promise<unknown>;
  /** Resolves with the first event (already seen or to come) that matches. */
  waitFor(event: string, match?: (payload: any) => boolean, timeoutMs?: number): Promise<Event>;
  status(id: string): ReturnType<Kernel["host"]["list"]>[number] | undefined;
  stop(): Promise<void>;
}

/**
 * A real kernel on `root`: user plugins from `<root>/plugins`, the WASM loader, and three inline
 * bundled plugins — "tools" (a registry), "calc" (a service with sync, async and throwing
 * methods) and "bystander" (a Node plugin unrelated to the WASM ones, to show it keeps running).
 */
export async function startKernel(root: string, options: { config?: string; loader?: WasmLoaderOptions; tools?: ReturnType<typeof fakeTools>; logToFiles?: boolean } = {}): Promise<Harness> {
  if (options.config !== undefined) writeFileSync(join(root, "config.toml"), options.config);
  const tools = options.tools ?? fakeTools();
  const calc = { calls: [] as string[] };
  const bystander = { pings: 0 };
  const bundled: InlinePlugin[] = [
    {
      manifest: { plugin: { id: "tools", version: "1.0.0" }, services: { provides: ["tools"] } },
      definition: { setup: (ctx: PluginContext<unknown>) => void ctx.services.provide("tools", tools) },
    },
    {
      manifest: { plugin: { id: "calc", version: "1.0.0" }, services: { provides: ["calc"] } },
      definition: {
        setup: (ctx: PluginContext<unknown>) =>
          void ctx.services.provide("calc", {
            add(a: number, b: number) {
              calc.calls.push("add");
              return a + b;
            },
            async mul(a: number, b: number) {
              calc.calls.push("mul");
              await new Promise((r) => setTimeout(r, 20));
              return a * b;
            },
            boom() {
              throw new Error("calc exploded");
            },
            cyclic() {
              const o: Record<string, unknown> = {};
              o.self = o;
              return o;
            },
          }),
      },
    },
    {
      manifest: { plugin: { id: "bystander", version: "1.0.0" } },
      definition: {
        setup: (ctx: PluginContext<unknown>) => {
          ctx.events.on("test.ping", () => {
            bystander.pings += 1;
          });
        },
      },
    },
  ];
  const kernel = createKernel({
    env: { ALEPH_STATE_DIR: root },
    searchPaths: [{ source: "user", dir: join(root, "plugins") }],
    bundled,
    watch: false,
    lock: false,
    logToFiles: options.logToFiles ?? false,
    loaders: { wasm: createWasmLoader(options.loader) },
  });
  const events: Event[] = [];
  const waiters = new Set<() => void>();
  kernel.bus.onAny((event, payload) => {
    events.push({ event, payload });
    for (const w of [...waiters]) w();
  });
  await kernel.start();
  const h: Harness = {
    kernel,
    events,
    tools,
    calc,
    bystander,
    call: (tool, args = {}) => tools.call(tool, args),
    waitFor(event, match = () => true, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = events.find((e) => e.event === event && match(e.payload));
          if (!found) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no ${event} within ${timeoutMs} ms; saw ${events.map((e) => e.event).join(", ")}`));
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
    status: (id) => kernel.host.list().find((p) => p.id === id && p.status !== "overridden"),
    stop: () => {
      running.delete(h);
      return kernel.stop();
    },
  };
  running.add(h);
  return h;
}

/** Kernels started and roots made during the current test, torn down after it (see teardownAfterEachTest). */
const running = new Set<Harness>();
const roots: (() => void)[] = [];

/** A temp state root with its plugins directory, removed after the current test. */
export function testRoot(): ReturnType<typeof tempRoot> {
  const t = tempRoot();
  roots.push(t.cleanup);
  return t;
}

/** Call once per test file: after each test, every kernel it left running is stopped and every testRoot() removed. */
export function teardownAfterEachTest(): void {
  afterEach(async () => {
    for (const h of [...running]) await h.stop();
    for (const cleanup of roots.splice(0)) cleanup();
  });
}
