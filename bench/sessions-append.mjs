// sessions-append: the bundled `sessions` plugin (service `sessions`, sessions.db) driven through
// the real kernel in-process (the SDK's test kit), default plugin config, against baselines
// measured in the same run on SQLite files opened with the same pragmas (WAL, the same
// `synchronous`, busy_timeout, foreign_keys):
//   1. append p50 at 10,000 messages vs append p50 at 10 (single-message appends, alternated
//      one by one between the two sessions)                                   budget ≤ 1.5×
//   2. the same append at 10,000 against the naive layout — a table sessions(session_key TEXT
//      PRIMARY KEY, messages TEXT) where each append reads the JSON array, parses, pushes,
//      stringifies and UPDATEs it in one transaction                          reported
//   3. sustained throughput of single-message appends, awaited one at a time, against a raw
//      better-sqlite3 loop (prepared INSERT INTO t(session_id, seq, body), autocommit per row,
//      the same body sizes), in alternating 100 ms slices                     budget ours/raw ≥ 0.5
// The gates apply to the default `[sessions] synchronous = "full"`; the whole set is then run
// again with `synchronous = "normal"` (baselines likewise) and reported only.
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import Database from "better-sqlite3";
import { createTestKernel } from "@aleph/testing";
import { check, fmtX, main, note, percentile, tempDir } from "./lib.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const require = createRequire(import.meta.url);
const sessionsDir = dirname(require.resolve("@aleph/plugin-sessions/aleph_plugin.toml"));

const RATIO_BUDGET = 1.5;
const THROUGHPUT_BUDGET = 0.5;
const SAMPLES = Number(process.env.BENCH_SESSIONS_SAMPLES ?? 1000); // timed appends per session size
const WARMUP = 100;
const SMALL = 10;
const LARGE = 10_000;
const REFILL_EVERY = 10; // the small session is rebuilt at 10 messages after this many appends (it stays at 10…19)
const NAIVE_SAMPLES = Number(process.env.BENCH_SESSIONS_NAIVE ?? 40);
const THROUGHPUT_SECONDS = Number(process.env.BENCH_SESSIONS_SECONDS ?? 3); // per side
const SLICE_MS = 100; // each side runs for this long, alternately, until each had THROUGHPUT_SECONDS
const BUSY_TIMEOUT_MS = 5000; // the plugin's default busy_timeout_ms

const KEY_SMALL = "agent:main:bench:dm:small";
const KEY_LARGE = "agent:main:main";
const KEY_THROUGHPUT = "agent:main:bench:dm:throughput";

/** A chat-sized message: ~300 characters of text (its stored JSON body is ~380 bytes). */
const TEXT = "The quick brown fox jumps over the lazy dog. ".repeat(7).slice(0, 300);
const message = (i) => ({ role: i % 2 === 0 ? "user" : "assistant", content: `${TEXT} #${i}` });

/**
 * The test kit records every event in `tk.events` for the life of the kernel (each
 * session.message.appended holds its message); a running kernel keeps no such log. Emptied
 * between timed operations so the bench does not measure the kit's growing array and the GC.
 */
let drain = () => {};

const ms = (x) => `${x.toFixed(3)} ms`;
const rate = (x) => `${Math.round(x).toLocaleString("en-US")}/s`;

/** A SQLite file opened as the plugin opens sessions.db (see plugins/sessions/src/database.ts). */
function openLikeSessionsDb(file, synchronous) {
  const db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
  db.pragma("journal_mode = WAL");
  db.pragma(`synchronous = ${synchronous === "full" ? "FULL" : "NORMAL"}`);
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.pragma("foreign_keys = ON");
  return db;
}

async function timed(fn) {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function fill(sessions, key, count, from = 0) {
  for (let done = 0; done < count; done += 1000) {
    const n = Math.min(1000, count - done);
    await sessions.append(key, Array.from({ length: n }, (_, i) => message(from + done + i)));
  }
}

/** 1: append at 10 vs at 10,000, alternated one by one (the order flips every pair). */
async function appendBySize(sessions) {
  await fill(sessions, KEY_SMALL, SMALL);
  drain();
  let smallAppends = 0;
  const appendSmall = async (i) => {
    const t = await timed(() => sessions.append(KEY_SMALL, message(i)));
    if (++smallAppends % REFILL_EVERY === 0) {
      // Untimed: start the small session afresh at 10 messages.
      await sessions.delete(KEY_SMALL);
      await fill(sessions, KEY_SMALL, SMALL);
    }
    return t;
  };
  const appendLarge = (i) => timed(() => sessions.append(KEY_LARGE, message(i)));
  const small = [];
  const large = [];
  for (let i = 0; i < WARMUP + SAMPLES; i++) {
    let s, l;
    if (i % 2 === 0) {
      s = await appendSmall(i);
      l = await appendLarge(i);
    } else {
      l = await appendLarge(i);
      s = await appendSmall(i);
    }
    drain();
    if (i >= WARMUP) {
      small.push(s);
      large.push(l);
    }
  }
  const head = await sessions.get(KEY_LARGE);
  const tail = await sessions.get(KEY_SMALL);
  if (head.messageCount < LARGE || tail.messageCount < SMALL || tail.messageCount >= SMALL + REFILL_EVERY) {
    throw new Error(`unexpected session sizes: large ${head.messageCount}, small ${tail.messageCount}`);
  }
  return { small, large, largeCount: head.messageCount };
}

/** 2: ours at 10,000 vs the naive JSON-array row at 10,000, alternated. */
async function naiveVsOurs(sessions, dir, synchronous) {
  const db = openLikeSessionsDb(join(dir, "naive.db"), synchronous);
  db.exec("CREATE TABLE sessions(session_key TEXT PRIMARY KEY, messages TEXT)");
  // The same 10,000 stored messages as the large session's first 10,000.
  const stored = await sessions.history(KEY_LARGE, { limit: LARGE, before: LARGE + 1 });
  if (stored.length !== LARGE) throw new Error(`expected ${LARGE} messages, got ${stored.length}`);
  db.prepare("INSERT INTO sessions VALUES (?, ?)").run(KEY_LARGE, JSON.stringify(stored));
  const read = db.prepare("SELECT messages FROM sessions WHERE session_key = ?");
  const write = db.prepare("UPDATE sessions SET messages = ? WHERE session_key = ?");
  const naiveAppend = db.transaction((key, msg) => {
    const list = JSON.parse(read.get(key).messages);
    list.push({ seq: list.length + 1, ts: Date.now(), role: msg.role, content: msg.content, tokens: stored[0].tokens });
    write.run(JSON.stringify(list), key);
  });
  const naive = [];
  const ours = [];
  const warm = 5;
  for (let i = 0; i < warm + NAIVE_SAMPLES; i++) {
    const runNaive = () => timed(() => naiveAppend.immediate(KEY_LARGE, message(i)));
    const runOurs = () => timed(() => sessions.append(KEY_LARGE, message(i)));
    let a, b;
    if (i % 2 === 0) {
      a = await runNaive();
      b = await runOurs();
    } else {
      b = await runOurs();
      a = await runNaive();
    }
    drain();
    if (i >= warm) {
      naive.push(a);
      ours.push(b);
    }
  }
  const naiveCount = JSON.parse(read.get(KEY_LARGE).messages).length;
  db.close();
  return { naive, ours, naiveCount };
}

/** 3: sustained throughput, ours vs a raw insert loop, in alternating time slices until each side had its seconds. */
async function throughput(sessions, dir, synchronous) {
  const db = openLikeSessionsDb(join(dir, "raw.db"), synchronous);
  db.exec("CREATE TABLE t(session_id INTEGER NOT NULL, seq INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (session_id, seq))");
  const insert = db.prepare("INSERT INTO t(session_id, seq, body) VALUES (?, ?, ?)");
  // The same bodies as ours stores: the stored message's JSON (ours adds its seq and ts).
  const first = (await sessions.append(KEY_THROUGHPUT, message(0))).messages[0];
  let seq = 0;
  const rawBody = (i) => JSON.stringify({ ...first, seq: i, ts: Date.now(), ...message(i) });
  const bodyBytes = Buffer.byteLength(rawBody(1000));
  const side = {
    ours: { ms: 0, n: 0, op: () => sessions.append(KEY_THROUGHPUT, message(seq)) },
    raw: { ms: 0, n: 0, op: () => insert.run(1, ++seq, rawBody(seq)) },
  };
  /** Runs one side for a time slice, 10 ops between clock reads; returns [ops, ms]. */
  const slice = async (s, sliceMs) => {
    const t0 = performance.now();
    let n = 0;
    let t;
    do {
      for (let i = 0; i < 10; i++) await s.op();
      n += 10;
      t = performance.now() - t0;
    } while (t < sliceMs);
    return [n, t];
  };
  // Warm-up, untimed.
  await slice(side.ours, 200);
  await slice(side.raw, 200);
  for (let round = 0; round * SLICE_MS < THROUGHPUT_SECONDS * 1000; round++) {
    for (const name of round % 2 === 0 ? ["ours", "raw"] : ["raw", "ours"]) {
      const [n, t] = await slice(side[name], SLICE_MS);
      side[name].n += n;
      side[name].ms += t;
      drain();
    }
  }
  db.close();
  return { ours: (side.ours.n * 1000) / side.ours.ms, raw: (side.raw.n * 1000) / side.raw.ms, oursN: side.ours.n, rawN: side.raw.n, bodyBytes };
}

async function measure(synchronous) {
  const dir = tempDir("aleph-bench-sessions-");
  mkdirSync(join(dir, "root"));
  const tk = await createTestKernel({
    plugins: [sessionsDir],
    root: join(dir, "root"),
    // Default config, except for the secondary run's synchronous.
    ...(synchronous === "full" ? {} : { config: { sessions: { synchronous } } }),
  });
  try {
    const info = tk.plugin("sessions");
    if (info?.status !== "active") throw new Error(`sessions did not load: ${JSON.stringify(info?.error ?? info)}`);
    const sessions = tk.service("sessions");
    drain = () => {
      tk.events.length = 0;
    };
    const t0 = performance.now();
    await fill(sessions, KEY_LARGE, LARGE);
    note(`[${synchronous}] pre-filled ${LARGE.toLocaleString("en-US")} messages in batches of 1,000: ${Math.round(performance.now() - t0)} ms`);
    const bySize = await appendBySize(sessions);
    const naive = await naiveVsOurs(sessions, dir, synchronous);
    const tput = await throughput(sessions, dir, synchronous);
    return { bySize, naive, tput };
  } finally {
    await tk.stop();
  }
}

function report(synchronous, { bySize, naive, tput }, gated) {
  const tag = `synchronous=${synchronous}${gated ? ", default" : ""}`;
  const p = (xs, q) => percentile(xs, q);
  const ratio = p(bySize.large, 50) / p(bySize.small, 50);
  check(
    "sessions-append",
    `sessions-append (${tag}): append p50 at ${LARGE.toLocaleString("en-US")} messages ${ms(p(bySize.large, 50))} (p95 ${ms(p(bySize.large, 95))}) vs at ${SMALL} ${ms(p(bySize.small, 50))} (p95 ${ms(p(bySize.small, 95))}) = ${fmtX(ratio)}` +
      (gated ? ` (budget ≤ ${RATIO_BUDGET}×)` : " (reported)"),
    gated ? ratio <= RATIO_BUDGET : null,
  );
  note(`${SAMPLES} single-message appends per size after ${WARMUP} warm-up, alternated; the large session ends at ${bySize.largeCount.toLocaleString("en-US")} messages, the small one is rebuilt at ${SMALL} every ${REFILL_EVERY}`);
  const speedup = p(naive.naive, 50) / p(naive.ours, 50);
  check(
    "sessions-append",
    `sessions-append (${tag}): append at ${LARGE.toLocaleString("en-US")} messages, naive JSON-array row p50 ${ms(p(naive.naive, 50))} (p95 ${ms(p(naive.naive, 95))}) vs ours ${ms(p(naive.ours, 50))} = ${fmtX(speedup)} faster (reported)`,
  );
  note(
    `${NAIVE_SAMPLES} appends each after 5 warm-up, alternated; the naive row ends at ${naive.naiveCount.toLocaleString("en-US")} messages. ` +
      `Ours is slower here than in the line above (${ms(p(bySize.large, 50))}) because each of its appends follows a naive one that wrote ~4 MB to its WAL: ` +
      `against that figure the naive append is ${fmtX(p(naive.naive, 50) / p(bySize.large, 50))} slower`,
  );
  const tr = tput.ours / tput.raw;
  check(
    "sessions-append",
    `sessions-append (${tag}): sustained single-message appends ${rate(tput.ours)} vs raw better-sqlite3 INSERT (autocommit) ${rate(tput.raw)} = ${fmtX(tr)}` +
      (gated ? ` (budget ≥ ${THROUGHPUT_BUDGET}×)` : " (reported)"),
    gated ? tr >= THROUGHPUT_BUDGET : null,
  );
  note(`${THROUGHPUT_SECONDS} s per side in alternating ${SLICE_MS} ms slices: ${tput.oursN.toLocaleString("en-US")} appends vs ${tput.rawN.toLocaleString("en-US")} inserts; row body ${tput.bodyBytes} bytes`);
}

main(async () => {
  process.chdir(here); // the test kit finds @aleph/kernel from the working directory
  console.log(`sessions-append: the sessions plugin through the kernel (test kit), message content ${TEXT.length + 6} characters`);
  report("full", await measure("full"), true);
  report("normal", await measure("normal"), false);
});
