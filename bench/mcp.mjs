// mcp: one MCP tool call through Aleph — the tools registry (argument validation against the tool's
// JSON Schema), the mcp plugin (the server's connection, result mapping) and the MCP SDK client over
// stdio to @modelcontextprotocol/server-everything — against the same call (`echo`) made with the
// MCP SDK's Client directly to another process of the same server, in the same process. Calls are
// sequential; p50 (and p90) of single calls, rounds interleaved with the order rotating.
// Budget: Aleph's p50 ≤ 1.5× the direct SDK call's.
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { performance } from "node:perf_hooks";
import { createKernel } from "@aleph/kernel";
import { loadNodePlugin } from "@aleph/node-host";
import { check, fmtX, main, note, percentile, sleep, tempDir } from "./lib.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const repo = join(here, "..");
const toolsDir = join(repo, "plugins/tools");
const mcpDir = join(repo, "plugins/mcp");
const BUDGET = 1.5;
const CALLS = Number(process.env.BENCH_MCP_CALLS ?? 300);
const ROUNDS = Number(process.env.BENCH_MCP_ROUNDS ?? 7);
const args = { message: "the quick brown fox jumps over the lazy dog" };

// The MCP SDK and the everything server are the mcp plugin's dependencies: resolved from there
// (the SDK's ESM build, the one the plugin loads).
const fromMcp = createRequire(join(mcpDir, "package.json"));
const sdkEsm = (path) => pathToFileURL(fromMcp.resolve(`@modelcontextprotocol/sdk/${path}`).replace(`${"/dist/cjs/"}`, "/dist/esm/")).href;
const everythingBin = join(dirname(fromMcp.resolve("@modelcontextprotocol/server-everything/package.json")), "dist", "index.js");

async function alephSide() {
  const root = tempDir("aleph-bench-mcp-");
  writeFileSync(join(root, "config.toml"), `[[mcp.servers]]\nname = "everything"\ncommand = ${JSON.stringify(process.execPath)}\nargs = [${JSON.stringify(everythingBin)}]\n`);
  const kernel = createKernel({
    env: { ALEPH_STATE_DIR: root, ALEPH_LOG: "error" },
    cwd: root,
    bundled: [toolsDir, mcpDir],
    searchPaths: [],
    loaders: { node: loadNodePlugin },
    watch: false,
    lock: false,
    logToFiles: false,
  });
  await kernel.start();
  const info = kernel.host.list().find((p) => p.id === "mcp");
  if (info?.status !== "active") throw new Error(`the mcp plugin did not load: ${JSON.stringify(info?.error)}`);
  const mcp = kernel.host.registry.bound("mcp").implementation;
  const [status] = await mcp.servers({ waitMs: 20_000 });
  if (status?.status !== "ready") throw new Error(`the everything server is not ready: ${JSON.stringify(status)}`);
  const tools = kernel.host.registry.bound("tools").implementation;
  return { call: () => tools.call("everything__echo", args), stop: () => kernel.stop() };
}

async function directSide() {
  const { Client } = await import(sdkEsm("client/index.js"));
  const { StdioClientTransport } = await import(sdkEsm("client/stdio.js"));
  const client = new Client({ name: "bench", version: "1.0.0" });
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [everythingBin], stderr: "pipe" }));
  await client.listTools(); // as the plugin does on connecting (the SDK caches tool metadata from it)
  return { call: () => client.callTool({ name: "echo", arguments: args }), stop: () => client.close() };
}

/** Microseconds of each of `n` sequential calls. */
async function sample(n, call, into) {
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await call();
    into.push((performance.now() - t0) * 1000);
  }
}

main(async () => {
  const aleph = await alephSide();
  const direct = await directSide();
  try {
    // Same answer both ways, checked once: the text, as the agent would get it.
    const viaAleph = await aleph.call();
    const viaSdk = await direct.call();
    if (viaAleph !== viaSdk.content[0].text) throw new Error(`results differ: ${JSON.stringify(viaAleph)} vs ${JSON.stringify(viaSdk)}`);
    await sample(200, aleph.call, []);
    await sample(200, direct.call, []);
    const samples = { aleph: [], direct: [] };
    for (let r = 0; r < ROUNDS; r++) {
      const order = r % 2 === 0 ? ["aleph", "direct"] : ["direct", "aleph"];
      for (const side of order) await sample(CALLS, side === "aleph" ? aleph.call : direct.call, samples[side]);
      await sleep(20);
    }
    const p = (side, q) => percentile(samples[side], q);
    note(`${ROUNDS} rounds × ${CALLS} calls a side; p90 Aleph ${p("aleph", 90).toFixed(0)} µs, direct ${p("direct", 90).toFixed(0)} µs`);
    const ratio = p("aleph", 50) / p("direct", 50);
    check(
      "mcp",
      `mcp: MCP tool call (stdio, server-everything echo) through the tools registry ${p("aleph", 50).toFixed(0)} µs vs the MCP SDK Client directly ${p("direct", 50).toFixed(0)} µs (p50) = ${fmtX(ratio)} (budget ≤ ${BUDGET}×)`,
      ratio <= BUDGET,
    );
  } finally {
    await direct.stop();
    await aleph.stop();
  }
});
