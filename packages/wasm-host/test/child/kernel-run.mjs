// Run by process.test.ts in a child process: boots a real kernel with the BUILT loader on a root
// prepared by the parent, exercises the plugins, stops the kernel and reports. The parent checks
// that the process then exits by itself (no worker, timer or handle left behind) and that nothing
// was printed to stderr (no "WASI is experimental" warning).
import { createKernel } from "@aleph/kernel";
import { createWasmLoader } from "../../dist/index.js";

const [root] = process.argv.slice(2);
const tools = new Map();
const registry = {
  register(tool) {
    tools.set(tool.name, tool);
    return { dispose: () => tools.delete(tool.name) };
  },
  list: () => [...tools.values()],
  call: (name, args) => tools.get(name).handler(args),
};
const kernel = createKernel({
  env: { ALEPH_STATE_DIR: root },
  searchPaths: [{ source: "user", dir: `${root}/plugins` }],
  bundled: [
    { manifest: { plugin: { id: "tools", version: "1.0.0" }, services: { provides: ["tools"] } }, definition: { setup: (ctx) => void ctx.services.provide("tools", registry) } },
    { manifest: { plugin: { id: "calc", version: "1.0.0" }, services: { provides: ["calc"] } }, definition: { setup: (ctx) => void ctx.services.provide("calc", { add: (a, b) => a + b }) } },
  ],
  watch: false,
  lock: false,
  logToFiles: false,
  loaders: { wasm: createWasmLoader({ teardownTimeoutMs: 500 }) },
});
await kernel.start();
const report = { plugins: Object.fromEntries(kernel.host.list().map((p) => [p.id, p.status])) };
for (let i = 0; i < 300; i++) await registry.call("slowtimer_echo", { i }); // worker, timeout_ms = 20 s
report.timeout = await registry.call("quick_spin", {}).catch((e) => e.code); // worker, timeout_ms = 200: restarted
report.afterTimeout = await registry.call("quick_echo", { ok: 1 });
report.file = await registry.call("files_read", { path: "/data/hello.json" }); // foreground, aleph_fs_read
report.fg = await registry.call("fg_echo", { fg: true });
const hanging = registry.call("hang_spin", {}).catch((e) => e.code); // worker without timeout_ms: runs forever
await new Promise((r) => setTimeout(r, 50));
const t0 = performance.now();
await kernel.stop();
report.stopMs = Math.round(performance.now() - t0);
report.hanging = await hanging;
process.stdout.write(`${JSON.stringify(report)}\n`);
process.stdout.write("STOPPED\n");
