#!/usr/bin/env node
/*
 * Writes turns.jsonl and questions.jsonl from the hand-written conversation and questions in
 * source/. Deterministic: the same sources give the same files, byte for byte.
 *
 *   node plugins/memory/eval/build-dataset.mjs          (write)
 *   node plugins/memory/eval/build-dataset.mjs --check  (fail if the files are stale)
 *
 * Ids: turn t of session sNN is sNN-tTTT (from 1). Times: a session starts at its `start`; each
 * turn takes a reading-and-typing time by its length (a user turn 15 s + 2.5 s a word, an
 * assistant turn 5 s + 0.4 s a word), so a session lasts 30–50 minutes. Splits: within each kind,
 * questions alternate tune, heldout, tune, … so both halves have the same mix.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { questions as sourceQuestions } from "./source/questions.mjs";
import { sessions } from "./source/sessions.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const problems = [];

const wordsOf = (text) => text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];

const turns = [];
const idOfKey = new Map();
for (const session of sessions) {
  let at = Date.parse(session.start);
  session.turns.forEach(([speaker, text, key], i) => {
    const id = `${session.id}-t${String(i + 1).padStart(3, "0")}`;
    if (key !== undefined) {
      if (idOfKey.has(key)) problems.push(`turn key ${key} is used twice`);
      idOfKey.set(key, id);
    }
    turns.push({ id, session: session.id, created_at: new Date(at).toISOString(), speaker, text: `${speaker}: ${text}` });
    const n = wordsOf(text).length;
    at += Math.round(speaker === "user" ? 15 + 2.5 * n : 5 + 0.4 * n) * 1000;
  });
}
const textOf = new Map(turns.map((t) => [t.id, t.text]));
const seenTexts = new Set();
for (const t of turns) {
  const norm = wordsOf(t.text).join(" ");
  if (seenTexts.has(norm)) problems.push(`turn ${t.id} repeats another turn word for word`);
  seenTexts.add(norm);
}

/** The runs of four words of a text, for the paraphrase check. */
const shingles = (text) => {
  const w = wordsOf(text);
  return new Set(w.slice(0, -3).map((_, i) => w.slice(i, i + 4).join(" ")));
};

const perKind = new Map();
const questions = sourceQuestions.map((src, i) => {
  const id = `q${String(i + 1).padStart(3, "0")}`;
  const relevant = src.rel.map((key) => {
    const turnId = idOfKey.get(key);
    if (turnId === undefined) problems.push(`${id}: no turn has the key ${key}`);
    return turnId;
  });
  if (new Set(relevant).size !== relevant.length) problems.push(`${id}: a relevant turn is listed twice`);
  if (src.kind === "multi-hop" && relevant.length < 2) problems.push(`${id}: a multi-hop question needs two turns or more`);
  if (src.kind === "paraphrase") {
    const asked = shingles(src.q);
    for (const turnId of relevant) {
      const shared = [...shingles(textOf.get(turnId) ?? "")].filter((s) => asked.has(s));
      if (shared.length > 0) problems.push(`${id}: a paraphrase shares "${shared[0]}" with ${turnId}`);
    }
  }
  const n = perKind.get(src.kind) ?? 0;
  perKind.set(src.kind, n + 1);
  return { id, kind: src.kind, split: n % 2 === 0 ? "tune" : "heldout", question: src.q, relevant };
});

if (turns.length < 400) problems.push(`only ${turns.length} turns (400 or more wanted)`);
if (questions.length < 100) problems.push(`only ${questions.length} questions (100 or more wanted)`);
if (problems.length > 0) {
  console.error(problems.join("\n"));
  process.exit(1);
}

const jsonl = (rows) => rows.map((r) => JSON.stringify(r)).join("\n") + "\n";
const files = { "turns.jsonl": jsonl(turns), "questions.jsonl": jsonl(questions) };
if (process.argv.includes("--check")) {
  const stale = Object.entries(files).filter(([name, text]) => {
    try {
      return readFileSync(join(here, name), "utf8") !== text;
    } catch {
      return true;
    }
  });
  if (stale.length > 0) {
    console.error(`stale: ${stale.map(([n]) => n).join(", ")} (run node plugins/memory/eval/build-dataset.mjs)`);
    process.exit(1);
  }
} else {
  for (const [name, text] of Object.entries(files)) writeFileSync(join(here, name), text);
}

const count = (pred) => questions.filter(pred).length;
console.log(`${turns.length} turns in ${sessions.length} sessions (${turns[0].created_at} to ${turns.at(-1).created_at})`);
console.log(`${questions.length} questions: ${[...perKind].map(([k, n]) => `${n} ${k}`).join(", ")}; tune ${count((q) => q.split === "tune")}, heldout ${count((q) => q.split === "heldout")}`);
