// agent-turn: what the turn pipeline adds to a one-tool turn. A running `aleph start` (the bundled
// set, `[sessions] synchronous = "normal"`, hello-node's word_count in <root>/plugins) talks to a
// zero-latency OpenAI-compatible fake; one control-socket client runs turns ("service.stream" of
// agent.turn), each timed from the request to its turn.completed item. Baseline, interleaved in
// the same run: the turn's own two model requests (same bodies, captured at the fake) sent directly
// with fetch from this process. Figure: turn − direct, p50 / p90. Budget: p50 ≤ 5 ms added.
// Where the time goes: the fake's clock (request arrival / end) splits the client-side time into
// before the first model request, between the two (the tool), after the second; the agent's own
// records (agents/main/sessions/<id>.jsonl, logs/agent.log) give its model-call, tool and turn ms.
import { cpSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { connectControl, kernelSocket } from "./control-client.mjs";
import { providersToml, startFakeOpenAI } from "./fake-openai.mjs";
import { check, fmtMs, main, makeWorkspace, median, note, percentile, startAleph } from "./lib.mjs";

const BUDGET_MS = 5;
const WARMUP = Number(process.env.BENCH_TURN_WARMUP ?? 15);
const TURNS = Number(process.env.BENCH_TURN_SAMPLES ?? 60);
const examples = resolve(fileURLToPath(new URL(".", import.meta.url)), "../plugins/examples");

const ms2 = (x) => `${x.toFixed(2)} ms`;

function prepareWorkspace(fake) {
  const ws = makeWorkspace();
  writeFileSync(join(ws.root, "config.toml"), `[sessions]\nsynchronous = "normal"\n`);
  writeFileSync(join(ws.root, "providers.toml"), providersToml(fake), { mode: 0o600 });
  cpSync(join(examples, "hello-node"), join(ws.root, "plugins", "hello-node"), {
    recursive: true,
    filter: (src) => !src.includes("node_modules") && !src.includes("/test"),
  });
  return ws;
}

/** One turn through the control socket: ms from request to turn.completed, and the turn's id. */
async function timeTurn(client, fake, sessionKey) {
  const first = fake.log.length;
  let turnId;
  let completedAt = 0;
  let failure;
  const t0 = performance.now();
  await client.request("service.stream", { service: "agent", method: "turn", args: [{ text: "count: a b c", sessionKey }] }, (item) => {
    if (item.type === "turn.started") turnId = item.turnId;
    else if (item.type === "turn.completed") completedAt = performance.now();
    else if (item.type === "turn.failed") failure = item;
  });
  if (failure) throw new Error(`turn failed: ${failure.code}: ${failure.message}`);
  const requests = fake.log.slice(first);
  if (requests.length !== 2) throw new Error(`expected 2 model requests in a one-tool turn, the fake saw ${requests.length}`);
  const [r1, r2] = requests;
  if (r2.body.messages.at(-1)?.role !== "tool") throw new Error("the second model request does not carry the tool's result");
  return {
    turnId,
    ms: completedAt - t0,
    before: r1.arrived - t0,
    model1: r1.ended - r1.arrived,
    between: r2.arrived - r1.ended,
    model2: r2.ended - r2.arrived,
    after: completedAt - r2.ended,
    bodies: [r1.body, r2.body],
  };
}

/** The same two requests sent directly: each fetched and read to its end, one after the other. */
async function timeDirect(fake, bodies) {
  const t0 = performance.now();
  for (const body of bodies) {
    const res = await fetch(`${fake.baseUrl}/chat/completions`, { method: "POST", headers: { "content-type": "application/json", accept: "text/event-stream" }, body: JSON.stringify(body) });
    const text = await res.text();
    if (!res.ok || !text.includes("[DONE]")) throw new Error(`direct request failed: ${res.status} ${text.slice(0, 200)}`);
  }
  return performance.now() - t0;
}

/** The agent's own records of the timed turns: model.call and turn.completed ms, tool ms from agent.log. */
function agentRecords(root, turnIds) {
  const wanted = new Set(turnIds);
  const dir = join(root, "agents", "main", "sessions");
  const byTurn = new Map();
  for (const file of readdirSync(dir)) {
    for (const line of readFileSync(join(dir, file), "utf8").split("\n")) {
      if (!line) continue;
      const rec = JSON.parse(line);
      if (!wanted.has(rec.turnId)) continue;
      const t = byTurn.get(rec.turnId) ?? { modelCalls: [], tools: 0 };
      if (rec.type === "model.call") t.modelCalls.push(rec.ms);
      if (rec.type === "tool.result") t.tools += 1;
      if (rec.type === "turn.completed") t.turnMs = rec.ms;
      byTurn.set(rec.turnId, t);
    }
  }
  const toolMs = [];
  for (const line of readFileSync(join(root, "logs", "agent.log"), "utf8").split("\n")) {
    if (!line.includes("tool called")) continue;
    const rec = JSON.parse(line);
    if (rec.sessionKey?.includes(":bench-t")) toolMs.push(rec.ms);
  }
  return { turns: [...byTurn.values()], toolMs };
}

main(async () => {
  console.log(`agent-turn: ${TURNS} one-tool turns after ${WARMUP} warm-up, each beside a direct replay of its two model requests`);
  const fake = await startFakeOpenAI();
  const ws = prepareWorkspace(fake);
  const kernel = startAleph(ws);
  let client;
  try {
    await kernel.ready();
    if (!kernel.events.some((e) => e.event === "plugin.loaded" && e.payload.id === "hello-node")) throw new Error("hello-node did not load (is plugins/examples/hello-node built?)");
    client = await connectControl(kernelSocket(ws.root));

    let last;
    for (let i = 0; i < WARMUP; i++) {
      last = await timeTurn(client, fake, `agent:main:cli:dm:bench-w${i}`);
      await timeDirect(fake, last.bodies);
    }
    const turns = [];
    const direct = [];
    const added = [];
    for (let i = 0; i < TURNS; i++) {
      // A fresh session per turn: every request the same size. Order rotates so drift hits both alike.
      let d;
      if (i % 2 === 0) d = await timeDirect(fake, last.bodies);
      const t = await timeTurn(client, fake, `agent:main:cli:dm:bench-t${i}`);
      if (i % 2 === 1) d = await timeDirect(fake, t.bodies);
      last = t;
      turns.push(t);
      direct.push(d);
      added.push(t.ms - d);
    }

    const p = (xs, q) => percentile(xs, q);
    const pick = (k) => turns.map((t) => t[k]);
    const turnP50 = median(pick("ms"));
    const directP50 = median(direct);
    const addedP50 = median(added);
    const addedP90 = p(added, 90);
    note(`turn through the kernel: p50 ${ms2(turnP50)}, p90 ${ms2(p(pick("ms"), 90))}, min ${ms2(Math.min(...pick("ms")))}`);
    note(`direct (same two requests by fetch): p50 ${ms2(directP50)}, p90 ${ms2(p(direct, 90))}`);
    note(`on the fake's clock, p50: before the 1st model request ${ms2(median(pick("before")))} · 1st answer ${ms2(median(pick("model1")))} · between (tool and its result stored) ${ms2(median(pick("between")))} · 2nd answer ${ms2(median(pick("model2")))} · after the 2nd answer ${ms2(median(pick("after")))}`);

    const rec = agentRecords(ws.root, pick("turnId"));
    const modelSum = rec.turns.map((t) => t.modelCalls.reduce((a, b) => a + b, 0));
    const turnMs = rec.turns.map((t) => t.turnMs);
    const rest = rec.turns.map((t, i) => t.turnMs - modelSum[i]);
    note(
      `agent's own records (whole ms), p50: turn.completed ${median(turnMs)} ms · model.call ×2 ${median(modelSum)} ms · tool (agent.log) ${median(rec.toolMs)} ms · rest of the turn (turn − model calls, tool included) ${median(rest)} ms · outside the turn (client − turn.completed) ${ms2(median(turns.map((t, i) => t.ms - (rec.turns[i]?.turnMs ?? NaN))))}`,
    );
    if (rec.turns.length !== turns.length || rec.turns.some((t) => t.modelCalls.length !== 2 || t.tools !== 1)) note(`warning: ${rec.turns.length} turns recorded for ${turns.length} timed, not all with 2 model calls and 1 tool result`);

    check("agent-turn", `agent-turn: one-tool turn ${ms2(turnP50)} vs its two model requests direct ${ms2(directP50)}: added p50 ${ms2(addedP50)}, p90 ${ms2(addedP90)} (budget p50 ≤ ${BUDGET_MS} ms)`, addedP50 <= BUDGET_MS);
  } finally {
    client?.close();
    await kernel.stop();
    await fake.close();
  }
});
