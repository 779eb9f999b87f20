// skills: (1) `aleph start --no-watch` → kernel.ready on a workspace with 1,000 skills in
// <root>/skills, its index cache warm (each workspace started once before measuring), against the
// same start on a workspace with none; interleaved, median of RUNS. Budget ≤ 1.5×. Then one SKILL.md
// changed: the start after reads one file (asserted through `filesRead` in `skills stats --json`).
// (2) The skills plugin's matcher (the lexical index the service and auto-match use, k = 5) over
// 1,000 generated skills: p50 / p95 of 300 messages after 50 warm-ups, next to a naive scan that
// counts the message's words in every skill's name and description (same run, same messages).
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SkillMatcher } from "@aleph/plugin-skills/runtime";
import { CLI, check, fmtMs, fmtX, kernelEnv, main, makeWorkspace, median, note, percentile, timeAlephReady } from "./lib.mjs";

const SKILLS = 1000;
const RUNS = Number(process.env.BENCH_SKILLS_RUNS ?? 15);
const WARMUP = 2;
const BUDGET = 1.5;

const WORDS = (
  "git commit review pull request deploy release notes changelog docker kubernetes image build test unit integration " +
  "lint format python node rust go java sql database migration backup restore invoice pdf extract table chart plot " +
  "email draft reply calendar meeting schedule summary report weather travel flight hotel budget expense tax recipe " +
  "translate spanish french german grammar essay outline slide presentation spreadsheet csv json yaml api endpoint " +
  "security audit secret rotate certificate dns domain server log error incident postmortem alert metric dashboard"
).split(" ");

/** A deterministic pseudo-random generator, so every run benches the same skills and messages. */
function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

function generated(count, seed) {
  const r = rng(seed);
  const pick = () => WORDS[Math.floor(r() * WORDS.length)];
  return Array.from({ length: count }, (_, i) => {
    const name = `${pick()}-${pick()}-${i}`;
    const description = `${Array.from({ length: 12 + Math.floor(r() * 14) }, pick).join(" ")}. Use when the user asks to ${pick()} the ${pick()}.`;
    return { name, description, file: `/skills/${name}/SKILL.md` };
  });
}

function writeSkills(root, skills) {
  for (const s of skills) {
    mkdirSync(join(root, "skills", s.name), { recursive: true });
    writeFileSync(join(root, "skills", s.name, "SKILL.md"), `---\nname: ${s.name}\ndescription: ${s.description}\n---\n\n# ${s.name}\n\n1. Do it.\n`);
  }
}

function statsOf(ws) {
  return JSON.parse(execFileSync(process.execPath, [CLI, "skills", "stats", "--json"], { env: kernelEnv(ws), cwd: ws.cwd, encoding: "utf8" }));
}

async function readyTimes() {
  const many = makeWorkspace();
  const none = makeWorkspace();
  writeSkills(many.root, generated(SKILLS, 7));
  const wall = { many: [], none: [] };
  const ms = { many: [], none: [] };
  for (let round = 0; round < WARMUP + RUNS; round++) {
    const order = round % 2 ? ["many", "none"] : ["none", "many"];
    for (const which of order) {
      const r = await timeAlephReady(which === "many" ? many : none);
      if (round < WARMUP) continue;
      wall[which].push(r.wall);
      ms[which].push(r.ms);
    }
  }
  const [wm, wn, mm, mn] = [median(wall.many), median(wall.none), median(ms.many), median(ms.none)];
  check("skills", `skills: aleph start → kernel.ready with ${SKILLS} skills (warm index cache) ${fmtMs(wm)} vs none ${fmtMs(wn)} = ${fmtX(wm / wn)} (budget ≤ ${BUDGET}×)`, wm / wn <= BUDGET);
  note(`  kernel.ready's own ms: ${fmtMs(mm)} vs ${fmtMs(mn)} (+${fmtMs(mm - mn)} for ${SKILLS} skills: a stat each, names and descriptions from the cache)`);
  // One file changed: the next start parses that file alone.
  const one = join(many.root, "skills", generated(SKILLS, 7)[3].name, "SKILL.md");
  writeFileSync(one, `---\nname: ${generated(SKILLS, 7)[3].name}\ndescription: changed for the bench\n---\nbody\n`);
  const stats = statsOf(many);
  check("skills", `skills: after changing 1 of ${SKILLS} SKILL.md files, a kernel reads ${stats.filesRead} (indexed ${stats.indexed}) (expected 1)`, stats.filesRead === 1);
}

async function matchTimes() {
  const skills = generated(SKILLS, 11);
  const r = rng(99);
  const pick = () => WORDS[Math.floor(r() * WORDS.length)];
  const messages = Array.from({ length: 350 }, () => `could you ${Array.from({ length: 4 + Math.floor(r() * 12) }, pick).join(" ")} for me please`);
  const built = performance.now();
  const matcher = new SkillMatcher(skills);
  await matcher.match("warm the index up", { k: 5 });
  const buildMs = performance.now() - built;
  const lowered = skills.map((s) => `${s.name} ${s.description}`.toLowerCase());
  const naive = (text) => {
    const words = text.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
    const scored = lowered.map((doc, i) => [i, words.reduce((n, w) => n + (doc.includes(w) ? 1 : 0), 0)]);
    return scored.filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]).slice(0, 5);
  };
  const ours = [];
  const scan = [];
  for (let i = 0; i < messages.length; i++) {
    const text = messages[i];
    let t = performance.now();
    await matcher.match(text, { k: 5 });
    const a = performance.now() - t;
    t = performance.now();
    naive(text);
    const b = performance.now() - t;
    if (i >= 50) {
      ours.push(a);
      scan.push(b);
    }
  }
  const [p50, p95, n50] = [median(ours), percentile(ours, 95), median(scan)];
  check("skills", `skills: match over ${SKILLS} skills (k = 5) p50 ${(p50 * 1000).toFixed(0)} µs, p95 ${(p95 * 1000).toFixed(0)} µs vs a naive scan p50 ${(n50 * 1000).toFixed(0)} µs = ${fmtX(n50 / p50)} faster (reported)`);
  note(`  index built on first match: ${fmtMs(buildMs)} (once per skill set: rebuilt when a SKILL.md changes)`);
}

main(async () => {
  console.log(`skills: ${SKILLS} skills, ready ${RUNS} runs each after ${WARMUP} warm-ups, interleaved`);
  await readyTimes();
  await matchTimes();
});
