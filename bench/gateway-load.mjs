// gateway-load: 100 WebSocket clients at once on the gateway of a serving `aleph start`, each
// sending chat.send after chat.send (its own session, BENCH_GATEWAY_LOAD_TURNS turns, each waiting
// for the previous answer) to a zero-latency OpenAI-compatible fake model. Reported: turns per
// second over the whole run (first send to last answer), the latency of a turn (send → its
// result, the reply streamed before it) at p50 / p99, and the slowest client's total. Checked: no
// client starved — every client got every reply, whole, ok. The workspace is as `aleph init`
// makes it (durable writes: sessions.db and the chat files fsync each message).
import { performance } from "node:perf_hooks";
import { providersToml, startFakeOpenAI } from "./fake-openai.mjs";
import { gatewayOf, openSocket, rpcClient } from "./gateway-client.mjs";
import { check, main, note, percentile } from "./lib.mjs";
import { initedWorkspace, startServingKernel } from "./serving-kernel.mjs";

const CLIENTS = Number(process.env.BENCH_GATEWAY_LOAD_CLIENTS ?? 100);
const TURNS = Number(process.env.BENCH_GATEWAY_LOAD_TURNS ?? 5);
const REPLY = "Hello there."; // what the fake answers a message with no tool to call
/** More config.toml (e.g. `[sessions]\nsynchronous = "normal"` to see the run without waiting for the disk). */
const EXTRA_CONFIG = process.env.BENCH_GATEWAY_LOAD_CONFIG ?? "";

/** One client's conversation: TURNS chat.send in a row; the latency of each, and whether each came back whole. */
async function converse(client, index, latencies) {
  let ok = 0;
  const problems = [];
  for (let turn = 0; turn < TURNS; turn++) {
    const key = `c${index}-t${turn}`;
    let streamed = "";
    const t0 = performance.now();
    const response = await client.call("chat.send", { sessionKey: `agent:main:bench:dm:client-${index}`, message: `message ${turn} from client ${index}`, idempotencyKey: key }, (n) => {
      if (n.method === "chat.event" && n.params.idempotencyKey === key && n.params.event.type === "text") streamed += n.params.event.text;
    });
    latencies.push(performance.now() - t0);
    if (response.result?.ok === true && response.result.text === REPLY && streamed === REPLY) ok++;
    else problems.push(JSON.stringify(response.error ?? response.result).slice(0, 200));
  }
  return { ok, problems };
}

main(async () => {
  const fake = await startFakeOpenAI();
  const workspace = initedWorkspace({ config: `[gateway]\nport = 0\nmax_connections = ${CLIENTS + 16}\n${EXTRA_CONFIG}\n`, providers: providersToml(fake) });
  const kernel = await startServingKernel(workspace, { expectActive: ["gateway", "agent"] });
  try {
    const gateway = await gatewayOf(workspace);
    const clients = await Promise.all(Array.from({ length: CLIENTS }, async () => rpcClient(await openSocket(gateway.url, { authorization: `Bearer ${gateway.token}` }))));
    // One warm-up turn on a connection of its own: the first turn loads the agent's code paths.
    const warm = rpcClient(await openSocket(gateway.url, { authorization: `Bearer ${gateway.token}` }));
    const first = await warm.call("chat.send", { sessionKey: "agent:main:bench:dm:warm-up", message: "hi", idempotencyKey: "warm-up" });
    if (first.result?.ok !== true) throw new Error(`the warm-up turn failed: ${JSON.stringify(first.error ?? first.result)}`);
    warm.close();

    const latencies = [];
    const t0 = performance.now();
    const outcomes = await Promise.all(clients.map(async (client, i) => {
      const started = performance.now();
      const outcome = await converse(client, i, latencies);
      return { ...outcome, ms: performance.now() - started };
    }));
    const wall = performance.now() - t0;
    for (const client of clients) client.close();

    const total = CLIENTS * TURNS;
    const answered = outcomes.reduce((n, o) => n + o.ok, 0);
    const starved = outcomes.filter((o) => o.ok < TURNS);
    const slowest = Math.max(...outcomes.map((o) => o.ms));
    note(`${CLIENTS} clients × ${TURNS} turns in ${(wall / 1000).toFixed(2)} s; the fake model answered ${fake.log.length - 1} requests; slowest client's ${TURNS} turns ${slowest.toFixed(0)} ms, fastest ${Math.min(...outcomes.map((o) => o.ms)).toFixed(0)} ms`);
    for (const o of starved.slice(0, 3)) note(`a client got ${o.ok}/${TURNS}: ${o.problems[0] ?? ""}`);
    check("gateway-load", `gateway-load: ${CLIENTS} concurrent WebSocket clients, chat.send to a zero-latency model: ${(total / (wall / 1000)).toFixed(0)} turns/s, latency p50 ${percentile(latencies, 50).toFixed(0)} ms, p99 ${percentile(latencies, 99).toFixed(0)} ms`);
    check("gateway-load", `gateway-load: no client starved: ${CLIENTS - starved.length}/${CLIENTS} clients got all ${TURNS} replies (${answered}/${total} turns answered whole)`, starved.length === 0);
  } finally {
    await kernel.stop();
    await fake.close();
  }
});
