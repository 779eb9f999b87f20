// chat-post: throughput of the bundled `chat` plugin's post (service `chat`, one JSON line per
// message appended to chat/chats/<chatId>.jsonl), awaited one at a time, driven through the real
// kernel in-process (the SDK's test kit), against writing the same JSON lines to a file with
// fs.appendFileSync, in the same process, in alternating time slices:
//   chat.post, default config ([chat] fsync = true: each line is fsync'd)
//   chat.post with [chat] fsync = false
//   appendFileSync(path, line)                                     (no fsync)
//   open(path, "a") + appendFileSync(fd, line) + fsyncSync + close  (the fair baseline for fsync = true)
// Then, on the fsync = false kernel, the cost of a read that does not grow with the chat: p50 of
// read(last 10 messages) and of a post repeating a known idempotency key, in a chat of 100
// messages against one of 10,000 (alternated). Budget: at most 1.5×.
// The throughput figures are reported, not gated.
import { mkdirSync, openSync, appendFileSync, fsyncSync, closeSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { createTestKernel } from "@aleph/testing";
import { check, fmtX, main, note, percentile, tempDir } from "./lib.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const require = createRequire(import.meta.url);
const chatDir = dirname(require.resolve("@aleph/plugin-chat/aleph_plugin.toml"));

const SECONDS = Number(process.env.BENCH_CHAT_SECONDS ?? 3); // per side
const SLICE_MS = 100;
const CHAT = "bench";
const FROM = "alice";
const TEXT = "The quick brown fox jumps over the lazy dog. ".repeat(7).slice(0, 300);
const content = (i) => `${TEXT} #${i}`;
const rate = (x) => `${Math.round(x).toLocaleString("en-US")}/s`;
const us = (opsPerSecond) => `${(1e6 / opsPerSecond).toFixed(1)} µs`;

async function chatKernel(dir, config) {
  const root = join(dir, "root");
  mkdirSync(root, { recursive: true });
  const tk = await createTestKernel({ plugins: [chatDir], root, ...(config ? { config } : {}) });
  const info = tk.plugin("chat");
  if (info?.status !== "active") throw new Error(`chat did not load: ${JSON.stringify(info?.error ?? info)}`);
  return { tk, chat: tk.service("chat"), file: join(root, "chat", "chats", `${CHAT}.jsonl`) };
}

/** The line chat writes for message `seq` (same members, same order). */
const line = (seq, i) => `${JSON.stringify({ seq, chatId: CHAT, from: FROM, ts: new Date().toISOString(), content: content(i) })}\n`;

main(async () => {
  process.chdir(here); // the test kit finds @aleph/kernel from the working directory
  const dir = tempDir("aleph-bench-chat-");
  const withFsync = await chatKernel(join(dir, "fsync"));
  const noFsync = await chatKernel(join(dir, "nofsync"), { chat: { fsync: false } });
  const plainFile = join(dir, "append.jsonl");
  const syncedFile = join(dir, "append-fsync.jsonl");
  try {
    let plainSeq = 0;
    let syncedSeq = 0;
    const sides = {
      chatFsync: { label: "chat.post (fsync = true, default)", file: withFsync.file, op: (i) => withFsync.chat.post(CHAT, { from: FROM, content: content(i) }) },
      chatNoFsync: { label: "chat.post (fsync = false)", file: noFsync.file, op: (i) => noFsync.chat.post(CHAT, { from: FROM, content: content(i) }) },
      append: { label: "appendFileSync", file: plainFile, op: (i) => appendFileSync(plainFile, line(++plainSeq, i)) },
      appendFsync: {
        label: "appendFileSync + fsyncSync",
        file: syncedFile,
        op: (i) => {
          const fd = openSync(syncedFile, "a");
          try {
            appendFileSync(fd, line(++syncedSeq, i));
            fsyncSync(fd);
          } finally {
            closeSync(fd);
          }
        },
      },
    };
    const names = Object.keys(sides);
    for (const s of Object.values(sides)) Object.assign(s, { n: 0, ms: 0 });
    let i = 0;
    /** Runs one side for a time slice, 10 ops between clock reads. */
    const slice = async (s, sliceMs) => {
      const t0 = performance.now();
      let n = 0;
      let t;
      do {
        for (let k = 0; k < 10; k++) await s.op(i++);
        n += 10;
        t = performance.now() - t0;
      } while (t < sliceMs);
      return [n, t];
    };
    // The kit records every event (each chat.message.posted holds its message); a running kernel keeps no such log.
    const drain = () => {
      withFsync.tk.events.length = 0;
      noFsync.tk.events.length = 0;
    };
    for (const name of names) await slice(sides[name], 200); // warm-up
    for (let round = 0; round * SLICE_MS < SECONDS * 1000; round++) {
      // Rotate the order each round so no side always follows the same one.
      for (let k = 0; k < names.length; k++) {
        const s = sides[names[(k + round) % names.length]];
        const [n, t] = await slice(s, SLICE_MS);
        s.n += n;
        s.ms += t;
        drain();
      }
    }
    const ops = Object.fromEntries(names.map((name) => [name, (sides[name].n * 1000) / sides[name].ms]));
    // Average line size of each file (warm-up lines included), to show both sides wrote the same lines.
    const lineBytes = {};
    for (const [name, k] of [["chatFsync", withFsync], ["chatNoFsync", noFsync]]) {
      const status = await k.chat.status(CHAT);
      if (status.torn.length > 0) throw new Error(`${name}: torn lines ${JSON.stringify(status.torn)}`);
      lineBytes[name] = statSync(k.file).size / status.count;
    }
    lineBytes.append = statSync(plainFile).size / plainSeq;
    lineBytes.appendFsync = statSync(syncedFile).size / syncedSeq;

    const fig = (name) => `${rate(ops[name])} (${us(ops[name])}/post)`;
    check("chat-post", `chat-post: ${sides.chatFsync.label} ${fig("chatFsync")} vs appendFileSync + fsyncSync ${fig("appendFsync")} = ${fmtX(ops.chatFsync / ops.appendFsync)} (reported)`);
    check("chat-post", `chat-post: ${sides.chatFsync.label} vs appendFileSync ${fig("append")} = ${fmtX(ops.chatFsync / ops.append)} (reported)`);
    check("chat-post", `chat-post: ${sides.chatNoFsync.label} ${fig("chatNoFsync")} vs appendFileSync = ${fmtX(ops.chatNoFsync / ops.append)} (reported)`);
    note(
      `${SECONDS} s per side in rotating ${SLICE_MS} ms slices after a warm-up; lines written: ` +
        names.map((name) => `${sides[name].label} ${sides[name].n.toLocaleString("en-US")} (${Math.round(lineBytes[name])} B/line)`).join(", "),
    );

    await readCost(noFsync);
  } finally {
    await withFsync.tk.stop();
    await noFsync.tk.stop();
  }
});

const SHORT_CHAT = 100;
const LONG_CHAT = 10_000;
const READ_SAMPLES = 500;

/** p50 of read(last 10) and of a repeated-key post, at 100 vs 10,000 messages. */
async function readCost({ tk, chat }) {
  const sizes = { short: SHORT_CHAT, long: LONG_CHAT };
  for (const [name, n] of Object.entries(sizes)) {
    for (let i = 1; i <= n; i++) {
      await chat.post(name, { from: FROM, content: content(i), key: `k${i}` });
      if (i % 1000 === 0) tk.events.length = 0;
    }
  }
  tk.events.length = 0;
  const samples = { read: { short: [], long: [] }, key: { short: [], long: [] } };
  for (let k = 0; k < READ_SAMPLES; k++) {
    for (const name of k % 2 === 0 ? ["short", "long"] : ["long", "short"]) {
      const n = sizes[name];
      let t0 = performance.now();
      const page = await chat.read(name, { after: n - 10, limit: 10 });
      samples.read[name].push(performance.now() - t0);
      if (page.messages.length !== 10) throw new Error(`read returned ${page.messages.length} messages`);
      const key = `k${1 + ((k * 37) % n)}`; // spread over the whole chat
      t0 = performance.now();
      const again = await chat.post(name, { from: FROM, content: "ignored", key });
      samples.key[name].push(performance.now() - t0);
      if (again.key !== key) throw new Error("a repeated key wrote a new message");
    }
  }
  const ms = (x) => `${x.toFixed(3)} ms`;
  for (const [what, label] of [["read", "read of the last 10"], ["key", "post repeating a known key"]]) {
    const short = percentile(samples[what].short, 50);
    const long = percentile(samples[what].long, 50);
    const ratio = long / short;
    check(
      "chat-post",
      `chat-post (fsync = false): ${label}, p50 at ${LONG_CHAT.toLocaleString("en-US")} messages ${ms(long)} vs at ${SHORT_CHAT} ${ms(short)} = ${fmtX(ratio)} (budget ≤ 1.5×)`,
      ratio <= 1.5,
    );
  }
  note(`${READ_SAMPLES} samples per size, alternated; keys spread over the whole chat`);
}
