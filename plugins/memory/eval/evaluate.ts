/*
 * The retrieval evaluation (issue 13): the labelled conversation in this folder (turns.jsonl,
 * questions.jsonl; README.md) loaded into a real FactStore, every question asked of every method
 * in one run, Recall@1/5/10 and MRR (@10) per method.
 *
 * The store is a fresh LanceDB table in a temp dir; the turns go in with addMany, their vectors
 * from the hash embedder and their createdAt from the data; the clock (the store's and the
 * ranking's) is fixed an hour after the last turn, so decay, and so every figure, is the same on
 * every run. Methods:
 *   - the product's search (searchFacts) in its three modes, with the [memory].search defaults
 *     from config.ts: hybrid, keyword (LanceDB full text) and vector (hash embedder). The one-sided
 *     modes still get decay and MMR, as they do in the product;
 *   - hybrid without decay (half_life_days 0) and without MMR (mmr_lambda 1);
 *   - the two sides raw (no decay, no MMR): what each search alone ranks;
 *   - a plain Okapi BM25 in JavaScript over the same texts (k1 1.2, b 0.75, lower-cased words,
 *     no stemming, no stop words): the baseline a search library would give for free.
 *
 * Run: npx tsx plugins/memory/eval/evaluate.ts [--split tune|heldout|all] [--json]
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { memoryConfigSchema } from "../src/config.js";
import { HASH_EMBEDDER_DEFAULT_DIMENSION, HASH_EMBEDDER_MODEL, hashEmbed } from "../src/embedders/hash-embedder.js";
import { FactStore } from "../src/facts/fact-store.js";
import { rankCandidates, type RankCandidate } from "../src/search/rank.js";
import { searchFacts, tuningOf, type SearchTuning } from "../src/search/search.js";

export interface Turn {
  id: string;
  session: string;
  /** ISO 8601. */
  created_at: string;
  speaker: "user" | "assistant";
  /** Speaker-prefixed: "user: …" or "assistant: …". */
  text: string;
}

export type QuestionKind = "paraphrase" | "multi-hop" | "temporal";
export type Split = "tune" | "heldout";

export interface Question {
  id: string;
  kind: QuestionKind;
  split: Split;
  question: string;
  /** The ids of every turn that answers it. */
  relevant: string[];
}

export interface Scores {
  r1: number;
  r5: number;
  r10: number;
  mrr: number;
  /** Questions averaged. */
  n: number;
}

export interface MethodResult {
  name: string;
  overall: Scores;
  byKind: Record<QuestionKind, Scores>;
  /** Each question's top 10 (turn ids, best first). */
  ranked: Map<string, string[]>;
}

/** The depth every method is asked for: Recall@10 and MRR@10. */
export const DEPTH = 10;
export const AGENT = "eval";
const KINDS: QuestionKind[] = ["paraphrase", "multi-hop", "temporal"];
const here = dirname(fileURLToPath(import.meta.url));

function readJsonl<T>(file: string): T[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as T);
}

export function loadDataset(dir = here): { turns: Turn[]; questions: Question[] } {
  return { turns: readJsonl<Turn>(join(dir, "turns.jsonl")), questions: readJsonl<Question>(join(dir, "questions.jsonl")) };
}

/** The clock of the evaluation: an hour after the last turn. */
export function evaluationNow(turns: Turn[]): number {
  return Math.max(...turns.map((t) => Date.parse(t.created_at))) + 3_600_000;
}

/** The [memory].search defaults (config.ts) as searchFacts takes them, as runtime.ts maps them. */
export function defaultTuning(): SearchTuning {
  return tuningOf(memoryConfigSchema.parse({}).search);
}

export const embed = async (text: string): Promise<Float32Array> => hashEmbed(text, HASH_EMBEDDER_DEFAULT_DIMENSION);

/** A FactStore holding the turns, and the way back from its fact ids to turn ids. */
export interface EvalStore {
  store: FactStore;
  now: number;
  /** The turns a fact stands for (more than one only if addMany merged near duplicates). */
  turnsOf: Map<string, string[]>;
  /** Turns merged into another turn's fact (near duplicates): none expected. */
  merged: number;
  dispose(): void;
}

export async function openEvalStore(turns: Turn[]): Promise<EvalStore> {
  const root = mkdtempSync(join(tmpdir(), "aleph-memory-eval-"));
  const now = evaluationNow(turns);
  const store = await FactStore.open(join(root, "facts.lance"), { space: { model: HASH_EMBEDDER_MODEL, dimension: HASH_EMBEDDER_DEFAULT_DIMENSION }, now: () => now });
  const items = await Promise.all(turns.map(async (t) => ({ input: { agentId: AGENT, text: t.text, createdAt: Date.parse(t.created_at), source: t.id }, vector: await embed(t.text) })));
  const outcomes = await store.addMany(items);
  // One write leaves the rows outside the full-text index (searched unindexed, scored apart): index them as a running store would be.
  await store.optimize();
  const turnsOf = new Map<string, string[]>();
  outcomes.forEach((o, i) => turnsOf.set(o.id, [...(turnsOf.get(o.id) ?? []), turns[i]!.id]));
  return { store, now, turnsOf, merged: outcomes.filter((o) => o.outcome !== "added").length, dispose: () => rmSync(root, { recursive: true, force: true }) };
}

/** Recall@1/5/10 (relevant found in the top k / relevant count) and reciprocal rank of a ranking. */
export function scoreRanking(ranked: string[], relevant: string[]): Omit<Scores, "n"> {
  const want = new Set(relevant);
  const recallAt = (k: number) => ranked.slice(0, k).filter((id) => want.has(id)).length / want.size;
  const first = ranked.findIndex((id) => want.has(id));
  return { r1: recallAt(1), r5: recallAt(5), r10: recallAt(10), mrr: first === -1 ? 0 : 1 / (first + 1) };
}

export function average(scores: Omit<Scores, "n">[]): Scores {
  const n = scores.length;
  const mean = (f: (s: Omit<Scores, "n">) => number) => (n === 0 ? 0 : scores.reduce((sum, s) => sum + f(s), 0) / n);
  return { r1: mean((s) => s.r1), r5: mean((s) => s.r5), r10: mean((s) => s.r10), mrr: mean((s) => s.mrr), n };
}

/** Lower-cased words of letters and digits: the plain tokenizer of the BM25 baseline. */
function tokens(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/**
 * Okapi BM25 over the turns' texts (k1 1.2, b 0.75; idf ln(1 + (N − n + 0.5)/(n + 0.5)), which
 * stays positive): each distinct word of the query adds its weight. Returns the top `depth` turn
 * ids, ties in the turns' order.
 */
export function createBm25(turns: Turn[], k1 = 1.2, b = 0.75): (query: string, depth?: number) => string[] {
  const docs = turns.map((t) => {
    const tf = new Map<string, number>();
    const words = tokens(t.text);
    for (const w of words) tf.set(w, (tf.get(w) ?? 0) + 1);
    return { id: t.id, tf, length: words.length };
  });
  const avgLength = docs.reduce((s, d) => s + d.length, 0) / docs.length;
  const df = new Map<string, number>();
  for (const d of docs) for (const w of d.tf.keys()) df.set(w, (df.get(w) ?? 0) + 1);
  const idf = (w: string) => Math.log(1 + (docs.length - (df.get(w) ?? 0) + 0.5) / ((df.get(w) ?? 0) + 0.5));
  return (query, depth = DEPTH) => {
    const terms = [...new Set(tokens(query))].filter((w) => df.has(w));
    const scored = docs.map((d, i) => {
      let score = 0;
      for (const w of terms) {
        const f = d.tf.get(w) ?? 0;
        if (f > 0) score += idf(w) * ((f * (k1 + 1)) / (f + k1 * (1 - b + (b * d.length) / avgLength)));
      }
      return { id: d.id, score, i };
    });
    return scored
      .filter((s) => s.score > 0)
      .sort((x, y) => y.score - x.score || x.i - y.i)
      .slice(0, depth)
      .map((s) => s.id);
  };
}

/** Fact ids, best first, as turn ids. */
function asTurns(e: EvalStore, factIds: string[]): string[] {
  return factIds.flatMap((id) => e.turnsOf.get(id) ?? []).slice(0, DEPTH);
}

/** The product's search at depth 10, as turn ids. */
export async function productSearch(e: EvalStore, text: string, mode: "hybrid" | "vector" | "keyword", tuning: SearchTuning): Promise<string[]> {
  const hits = await searchFacts(e.store, embed, { agentId: AGENT, text, k: DEPTH, mode }, { ...tuning, now: e.now });
  return asTurns(e, hits.map((h) => h.fact.id));
}

/**
 * What searchFacts would rank for a question at depth 10 (the union of 4×10 vector and 4×10
 * keyword candidates, filled from the listing when fewer than 10), fetched once so that many
 * tunings can be ranked without asking LanceDB again. tune.ts checks it ranks as searchFacts does.
 */
export async function hybridCandidates(e: EvalStore, text: string): Promise<RankCandidate[]> {
  const filter = { agentId: AGENT, limit: 4 * DEPTH };
  const [byVector, byKeyword] = await Promise.all([e.store.vectorCandidates(await embed(text), filter), e.store.keywordCandidates(text, filter)]);
  const merged = new Map<string, RankCandidate>();
  for (const c of [...byVector, ...byKeyword]) merged.set(c.id, { ...merged.get(c.id), ...c, vectorScore: merged.get(c.id)?.vectorScore ?? c.vectorScore, keywordScore: merged.get(c.id)?.keywordScore ?? c.keywordScore });
  if (merged.size < DEPTH) for (const c of await e.store.listCandidates({ ...filter, limit: DEPTH + merged.size })) if (!merged.has(c.id)) merged.set(c.id, c);
  return [...merged.values()];
}

/** Ranks cached candidates with a tuning, as turn ids. */
export function rankCached(e: EvalStore, candidates: RankCandidate[], tuning: SearchTuning): string[] {
  return asTurns(e, rankCandidates(candidates, { ...tuning, k: DEPTH, now: e.now }).map((r) => r.id));
}

export interface Method {
  name: string;
  rank(question: Question): Promise<string[]>;
}

/** The methods of the report, all against one store. */
export function standardMethods(e: EvalStore, turns: Turn[], tuning: SearchTuning = defaultTuning()): Method[] {
  const bm25 = createBm25(turns);
  const raw = { ...tuning, halfLifeDays: 0, mmrLambda: 1 };
  return [
    { name: "hybrid", rank: (q) => productSearch(e, q.question, "hybrid", tuning) },
    { name: "hybrid, no decay", rank: (q) => productSearch(e, q.question, "hybrid", { ...tuning, halfLifeDays: 0 }) },
    { name: "hybrid, no MMR", rank: (q) => productSearch(e, q.question, "hybrid", { ...tuning, mmrLambda: 1 }) },
    { name: "keyword", rank: (q) => productSearch(e, q.question, "keyword", tuning) },
    { name: "vector", rank: (q) => productSearch(e, q.question, "vector", tuning) },
    { name: "keyword, raw", rank: (q) => productSearch(e, q.question, "keyword", raw) },
    { name: "vector, raw", rank: (q) => productSearch(e, q.question, "vector", raw) },
    { name: "BM25 (plain JS)", rank: async (q) => bm25(q.question) },
  ];
}

export async function runMethods(methods: Method[], questions: Question[]): Promise<MethodResult[]> {
  const results: MethodResult[] = [];
  for (const m of methods) {
    const ranked = new Map<string, string[]>();
    for (const q of questions) ranked.set(q.id, await m.rank(q));
    results.push(summarise(m.name, questions, ranked));
  }
  return results;
}

export function summarise(name: string, questions: Question[], ranked: Map<string, string[]>): MethodResult {
  const scoreOf = (q: Question) => scoreRanking(ranked.get(q.id) ?? [], q.relevant);
  const byKind = Object.fromEntries(KINDS.map((k) => [k, average(questions.filter((q) => q.kind === k).map(scoreOf))])) as Record<QuestionKind, Scores>;
  return { name, overall: average(questions.map(scoreOf)), byKind, ranked };
}

export interface Evaluation {
  split: Split | "all";
  tuning: SearchTuning;
  merged: number;
  results: MethodResult[];
}

/** The whole evaluation on one split (or all): one store, every standard method. */
export async function evaluate(options: { split?: Split | "all"; tuning?: SearchTuning; dir?: string } = {}): Promise<Evaluation> {
  const { turns, questions } = loadDataset(options.dir);
  const split = options.split ?? "all";
  const tuning = options.tuning ?? defaultTuning();
  const e = await openEvalStore(turns);
  try {
    const asked = questions.filter((q) => split === "all" || q.split === split);
    return { split, tuning, merged: e.merged, results: await runMethods(standardMethods(e, turns, tuning), asked) };
  } finally {
    e.dispose();
  }
}

const pct = (x: number) => x.toFixed(3);

/** A Markdown table of results. */
export function table(results: MethodResult[], kinds = false): string {
  const head = kinds ? "| method | kind | n | R@1 | R@5 | R@10 | MRR |\n|---|---|---:|---:|---:|---:|---:|" : "| method | n | R@1 | R@5 | R@10 | MRR |\n|---|---:|---:|---:|---:|---:|";
  const row = (name: string, s: Scores, kind?: string) => `| ${name} |${kind === undefined ? "" : ` ${kind} |`} ${s.n} | ${pct(s.r1)} | ${pct(s.r5)} | ${pct(s.r10)} | ${pct(s.mrr)} |`;
  const rows = results.flatMap((r) => (kinds ? KINDS.map((k) => row(r.name, r.byKind[k], k)) : [row(r.name, r.overall)]));
  return [head, ...rows].join("\n");
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const at = process.argv.indexOf("--split");
  const split = (at === -1 ? "all" : process.argv[at + 1]) as Split | "all";
  const started = performance.now();
  const evaluation = await evaluate({ split });
  if (process.argv.includes("--json")) {
    console.log(JSON.stringify({ ...evaluation, results: evaluation.results.map((r) => ({ ...r, ranked: Object.fromEntries(r.ranked) })) }, null, 2));
  } else {
    console.log(`split: ${split}; tuning: ${JSON.stringify(evaluation.tuning)}; near duplicates merged: ${evaluation.merged}\n`);
    console.log(table(evaluation.results));
    console.log(`\n${table(evaluation.results, true)}`);
    console.log(`\n${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
}
