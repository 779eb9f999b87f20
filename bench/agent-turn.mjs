// agent-turn: what the turn pipeline adds to a one-tool turn. A serving `aleph start` (an `aleph
// init`-ed workspace, `[sessions] synchronous = "normal"`, hello-node's word_count in <root>/plugins)
// talks to a zero-latency OpenAI-compatible fake in this process; one control-socket client runs
// turns (`service.stream` of agent.turn), each timed from the request to its turn.completed item.
// Baseline, in the same run: the turn's own two model requests (the bodies the fake received) sent
// again directly with fetch from this process. Figure: turn − direct, p50 / p90; budget p50 ≤ 5 ms,
// on turns that each open a fresh session (every turn alike). Reported too: a conversation (one
// session, turn after turn), early turns against late ones, since its history grows.
// Where the time goes: the fake's clock splits each turn into before the first model request,
// between the two (the tool and its result stored), and after the answer; the agent's own records
// (agents/main/sessions/<id>.jsonl, logs/agent.log) give its model-call, tool and turn ms.
// BENCH_TURN_CPU_PROF=<dir> runs the kernel with --cpu-prof into <dir> (written when it stops).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { connectControl, kernelSocket } from "./control-client.mjs";
import { providersToml, startFakeOpenAI } from "./fake-openai.mjs";
import { check, main, median, note, percentile } from "./lib.mjs";
import { initedWorkspace, startServingKernel } from "./serving-kernel.mjs";

const BUDGET_MS = 5;
const WARMUP = Number(process.env.BENCH_TURN_WARMUP ?? 15);
const TURNS = Number(process.env.BENCH_TURN_SAMPLES ?? 60);
const CONVERSATION = Number(process.env.BENCH_TURN_CONVERSATION ?? 120);
const PROFILE_DIR = process.env.BENCH_TURN_CPU_PROF;

const ms2 = (x) => `${x.toFixed(2)} ms`;
const p50 = (xs) => median(xs);
const p90 = (xs) => percentile(xs, 90);

/** One turn through the control socket, split on the fake's clock. */
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
  if (r2.body.messages.at(-1)?.role !== "tool" || !r2.body.messages.at(-1).content.includes('"count":3')) throw new Error("the second model request does not carry word_count's result");
  return {
    turnId,
    ms: completedAt - t0,
    before: r1.arrived - t0,
    between: r2.arrived - r1.ended,
    after: completedAt - r2.ended,
    fake: r1.ended - r1.arrived + (r2.ended - r2.arrived),
    bodies: [r1.body, r2.body],
  };
}

/** The same two requests sent directly, each read to its end, one after the other. */
async function timeDirect(fake, bodies) {
  const t0 = performance.now();
  for (const body of bodies) {
    const res = await fetch(`${fake.baseUrl}/chat/completions`, { method: "POST", headers: { "content-type": "application/json", accept: "text/event-stream" }, body: JSON.stringify(body) });
    const text = await res.text();
    if (!res.ok || !text.includes("[DONE]")) throw new Error(`direct request failed: ${res.status} ${text.slice(0, 200)}`);
  }
  return performance.now() - t0;
}

/** The agent's records of the given turns: model.call ms (both), turn.completed ms, tool ms from agent.log. */
function agentRecords(root, turnIds) {
  const wanted = new Set(turnIds);
  const dir = join(root, "agents", "main", "sessions");
  const byTurn = new Map(turnIds.map((id) => [id, { model: 0, calls: 0, tools: 0, turn: NaN }]));
  for (const file of readdirSync(dir)) {
    for (const line of readFileSync(join(dir, file), "utf8").split("\n")) {
      if (!line) continue;
      const rec = JSON.parse(line);
      const t = wanted.has(rec.turnId) && byTurn.get(rec.turnId);
      if (!t) continue;
      if (rec.type === "model.call") (t.model += rec.ms), (t.calls += 1);
      else if (rec.type === "tool.result") t.tools += 1;
      else if (rec.type === "turn.completed") t.turn = rec.ms;
    }
  }
  const toolMs = [];
  for (const line of readFileSync(join(root, "logs", "agent.log"), "utf8").split("\n")) {
    if (!line.includes("tool called")) continue;
    const rec = JSON.parse(line);
    toolMs.push({ sessionKey: rec.sessionKey, ms: rec.ms });
  }
  return { turns: turnIds.map((id) => byTurn.get(id)), toolMs };
}

/**
 * The context sources a turn reads, called on their own through the socket (round trip minus a
 * ping's): what building the context costs in wall time, file reads included.
 */
async function timeContextSources(client, sessionKey, rounds = 60) {
  const calls = {
    ping: () => client.request("ping"),
    "identity.render": () => client.request("service.call", { service: "identity", method: "render", args: [{ agentId: "main", sessionKey }] }),
    "workspace.bootstrap": () => client.request("service.call", { service: "workspace", method: "bootstrap", args: ["main"] }),
    "sessions.history": () => client.request("service.call", { service: "sessions", method: "history", args: [sessionKey, { limit: 1000 }] }),
    "tools.call word_count": () => client.request("service.call", { service: "tools", method: "call", args: ["word_count", { text: "a b c" }] }),
  };
  const times = Object.fromEntries(Object.keys(calls).map((k) => [k, []]));
  for (let r = 0; r < rounds + 10; r++) {
    for (const [name, call] of Object.entries(calls)) {
      const t0 = performance.now();
      await call();
      if (r >= 10) times[name].push(performance.now() - t0);
    }
  }
  const ping = p50(times.ping);
  return { ping, each: Object.entries(times).filter(([k]) => k !== "ping").map(([k, xs]) => [k, p50(xs) - ping]) };
}

/** Size of the prompt log of the session that holds `turnId`. */
function promptLogBytes(root, turnId) {
  const dir = join(root, "agents", "main");
  const file = readdirSync(join(dir, "sessions")).find((f) => readFileSync(join(dir, "sessions", f), "utf8").includes(turnId));
  try {
    return statSync(join(dir, "prompts", file)).size;
  } catch {
    return 0;
  }
}

function describe(label, turns, direct, root, sessionFilter) {
  const pick = (k) => turns.map((t) => t[k]);
  const added = turns.map((t, i) => t.ms - direct[i]);
  note(`${label}: turn p50 ${ms2(p50(pick("ms")))} (p90 ${ms2(p90(pick("ms")))}) · direct p50 ${ms2(p50(direct))} (p90 ${ms2(p90(direct))}) · added p50 ${ms2(p50(added))}, p90 ${ms2(p90(added))}`);
  note(
    `  on the fake's clock, p50: request → 1st model request ${ms2(p50(pick("before")))} · 1st answer → 2nd request (tool, result stored) ${ms2(p50(pick("between")))} · 2nd answer → turn.completed ${ms2(p50(pick("after")))} · the fake itself ${ms2(p50(pick("fake")))}`,
  );
  const rec = agentRecords(root, pick("turnId"));
  const bad = rec.turns.filter((t) => t.calls !== 2 || t.tools !== 1).length;
  const tools = rec.toolMs.filter((t) => sessionFilter(t.sessionKey)).map((t) => t.ms);
  const model = rec.turns.map((t) => t.model);
  const turnMs = rec.turns.map((t) => t.turn);
  note(
    `  agent's records (whole ms), p50: turn.completed ${p50(turnMs)} ms = model.call ×2 ${p50(model)} ms + the rest ${p50(rec.turns.map((t) => t.turn - t.model))} ms (tool call in it: ${p50(tools)} ms per agent.log) · client − turn.completed ${ms2(p50(turns.map((t, i) => t.ms - turnMs[i])))}${bad ? ` · warning: ${bad} turns without 2 model calls and 1 tool result` : ""}`,
  );
  return added;
}

main(async () => {
  console.log(`agent-turn: ${TURNS} one-tool turns in fresh sessions after ${WARMUP} warm-up, and a ${CONVERSATION}-turn conversation, each turn beside a direct replay of its two model requests`);
  const fake = await startFakeOpenAI();
  const ws = initedWorkspace({ config: `[sessions]\nsynchronous = "normal"\n${process.env.BENCH_TURN_EXTRA_CONFIG ?? ""}`, providers: providersToml(fake), examplePlugins: ["hello-node"] });
  const nodeFlags = PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${resolve(PROFILE_DIR)}`] : [];
  const kernel = await startServingKernel(ws, { expectActive: ["agent", "providers", "hello-node"], nodeFlags });
  let client;
  try {
    client = await connectControl(kernelSocket(ws.root));
    let last;
    for (let i = 0; i < WARMUP; i++) {
      last = await timeTurn(client, fake, `agent:main:cli:dm:bench-w${i}`);
      await timeDirect(fake, last.bodies);
    }

    // Fresh sessions: every turn's requests are the same, so the direct replay may go before or
    // after it; the order alternates so drift on the machine hits both alike.
    const fresh = [];
    const freshDirect = [];
    for (let i = 0; i < TURNS; i++) {
      let d;
      if (i % 2 === 0) d = await timeDirect(fake, last.bodies);
      last = await timeTurn(client, fake, `agent:main:cli:dm:bench-f${i}`);
      if (i % 2 === 1) d = await timeDirect(fake, last.bodies);
      fresh.push(last);
      freshDirect.push(d);
    }
    // A conversation: each turn's requests carry the history so far; its replay follows it.
    const talk = [];
    const talkDirect = [];
    for (let i = 0; i < CONVERSATION; i++) {
      const t = await timeTurn(client, fake, "agent:main:cli:dm:bench-conversation");
      talk.push(t);
      talkDirect.push(await timeDirect(fake, t.bodies));
    }

    const added = describe(`fresh session per turn (${TURNS})`, fresh, freshDirect, ws.root, (k) => k.includes(":bench-f"));
    const talkAdded = describe(`one conversation (${CONVERSATION} turns)`, talk, talkDirect, ws.root, (k) => k.endsWith(":bench-conversation"));
    const sources = await timeContextSources(client, "agent:main:cli:dm:bench-f0");
    note(`context sources and the tool alone through the socket, p50 minus a ping's ${ms2(sources.ping)}: ${sources.each.map(([k, v]) => `${k} ${ms2(v)}`).join(" · ")}`);
    const quarter = Math.max(1, Math.floor(CONVERSATION / 4));
    const quarters = [0, 1, 2, 3].map((q) => ({ from: q * quarter + 1, to: q === 3 ? CONVERSATION : (q + 1) * quarter, added: p50(talkAdded.slice(q * quarter, q === 3 ? undefined : (q + 1) * quarter)) }));
    const promptLog = promptLogBytes(ws.root, talk[0].turnId);
    check(
      "agent-turn",
      `agent-turn: one-tool turn ${ms2(p50(fresh.map((t) => t.ms)))} vs its two model requests direct ${ms2(p50(freshDirect))}: added p50 ${ms2(p50(added))}, p90 ${ms2(p90(added))} (budget p50 ≤ ${BUDGET_MS} ms)`,
      p50(added) <= BUDGET_MS,
    );
    check("agent-turn", `agent-turn: in one ${CONVERSATION}-turn conversation, added p50 ${ms2(p50(talkAdded))}; by quarter ${quarters.map((q) => `${q.from}–${q.to}: ${ms2(q.added)}`).join(", ")}; its prompt log ended at ${(promptLog / 1024 / 1024).toFixed(1)} MiB (reported)`);
  } finally {
    client?.close();
    await kernel.stop();
    await fake.close();
  }
});
