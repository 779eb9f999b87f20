// Generated facts for the memory benches: sentences of the kind an agent remembers, from a
// seeded grammar with ~1,000 words (names, places, projects, things, times, numbers), so the
// hash embedder's vectors are varied the way real notes are, not one template repeated.
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const list = (s) => s.trim().split(/\s*,\s*/).map((w) => w.replace(/\s+/g, " "));

const PEOPLE = list(`Alice, Bruno, Chiara, Dmitri, Elena, Farid, Greta, Hiroshi, Ines, Jonas, Kavya, Lars, Maria, Nikolai, Olga,
  Pedro, Quentin, Rosa, Samir, Tomasz, Ulrike, Viktor, Wen, Ximena, Yusuf, Zofia, Amara, Bilal, Camille, Diego, Emeka, Freya,
  Gustavo, Hana, Ivan, Jana, Kenji, Leila, Mateo, Nadia, Oskar, Priya, Rafael, Sofia, Theo, Uma, Valentina, William, Yara, Zane`);
const KIN = list(`sister, brother, mother, father, cousin, manager, colleague, neighbour, landlord, dentist, daughter, son,
  partner, flatmate, teacher, coach, doctor, accountant, lawyer, friend`);
const PLACES = list(`Berlin, Lisbon, Oslo, Kyoto, Nairobi, Lima, Toronto, Marseille, Krakow, Porto, Seoul, Dublin, Vienna, Austin,
  Melbourne, Reykjavik, Tallinn, Bologna, Valencia, Hamburg, Lyon, Zurich, Prague, Helsinki, Sapporo, Cusco, Montreal, Ghent,
  Edinburgh, Seville, Trieste, Bergen, Tbilisi, Hanoi, Dakar, Quito, Perth, Utrecht, Graz, Malmo`);
const PROJECTS = list(`orion, kestrel, basalt, juniper, halcyon, meridian, tundra, saffron, quokka, lumen, obsidian, pelican, zephyr,
  cobalt, marigold, nimbus, granite, falcon, willow, ember, atlas, drift, harbor, lantern, mosaic, prism, sequoia, tangent, vortex, yarrow`);
const TECH = list(`PostgreSQL, Redis, Kafka, Kubernetes, Terraform, Rust, TypeScript, Python, Go, Elixir, GraphQL, gRPC, Nginx,
  SQLite, LanceDB, Docker, Ansible, Prometheus, Grafana, Jenkins, webpack, Vite, React, Svelte, Django, Rails, Spark, Airflow,
  ClickHouse, Cassandra`);
const ADJ = list(`dark, spicy, quiet, vintage, electric, handmade, organic, tiny, heavy, bright, cheap, expensive, ceramic, wooden,
  red, green, blue, yellow, silver, old, new, fast, slow, noisy, warm, cold, sour, sweet, bitter, crisp, soft, loud, rare, local,
  imported, folding, wireless, mechanical, waterproof, secondhand`);
const THINGS = list(`coffee, tea, bicycle, guitar, keyboard, jacket, novel, podcast, recipe, sourdough, ramen, espresso, laptop,
  notebook, camera, plant, kayak, tent, piano, violin, chess set, board game, mug, lamp, backpack, watch, scarf, sneakers,
  headphones, monitor, desk, chair, kettle, blender, umbrella, typewriter, telescope, skateboard, wine, cheese, chocolate,
  marathon, yoga class, pottery course, language course, museum pass, train ticket, concert, festival, vinyl record`);
const LIKES = list(`prefers, loves, dislikes, collects, recommends, avoids, bought, lost, borrowed, repaired, sold, ordered,
  returned, wants, gave away, painted, reviewed, forgot, found, rented`);
const WORK = list(`migrates, deploys, maintains, reviews, benchmarks, rewrites, documents, monitors, debugs, owns, tests,
  designs, profiles, refactors, archives`);
const PARTS = list(`billing service, search index, login flow, nightly backup, build pipeline, mobile app, data warehouse, API
  gateway, admin dashboard, payment webhook, email queue, audit log, feature flags, cache layer, release notes, onboarding docs,
  error tracker, load balancer, metrics exporter, import job`);
const WHEN = list(`on Mondays, on Tuesdays, every Wednesday, on Thursday evenings, on Fridays, at weekends, in January, in March,
  in May, in July, in September, in November, before standup, after lunch, at night, every morning, twice a month, since spring,
  since the last release, during the holidays`);
const WHY = list(`because it is faster, because of the latency, for the audit, to save money, after the outage, for the
  customers in Asia, since the team grew, to please the auditors, for the conference demo, because the old one broke`);

/** A seeded generator (Park–Miller), so every run writes the same facts. */
export function seeded(seed) {
  let s = seed % 2_147_483_647 || 1;
  const next = () => (s = (s * 16_807) % 2_147_483_647) / 2_147_483_647;
  const pick = (xs) => xs[Math.floor(next() * xs.length)];
  return { next, pick };
}

const TEMPLATES = [
  (p, n) => `${p(PEOPLE)}'s ${p(KIN)} ${p(LIKES)} the ${p(ADJ)} ${p(THINGS)} from ${p(PLACES)}`,
  (p, n) => `The user ${p(LIKES)} ${p(ADJ)} ${p(THINGS)} ${p(WHEN)}`,
  (p, n) => `${p(PEOPLE)} ${p(WORK)} the ${p(PARTS)} of project ${p(PROJECTS)} ${p(WHEN)}`,
  (p, n) => `Project ${p(PROJECTS)} moved its ${p(PARTS)} from ${p(TECH)} to ${p(TECH)} ${p(WHY)}`,
  (p, n) => `${p(PEOPLE)} lives in ${p(PLACES)} and works as ${p(["a nurse", "an engineer", "a chef", "a pilot", "a designer", "a translator", "a carpenter", "a teacher", "a biologist", "a manager"])} near the ${p(["station", "harbour", "old town", "university", "airport", "river", "market", "stadium"])}`,
  (p, n) => `Ticket ${1000 + Math.floor(n() * 9000)}: the ${p(PARTS)} fails ${p(WHEN)} when ${p(TECH)} is ${p(["down", "slow", "upgraded", "restarted", "full", "misconfigured"])}`,
  (p, n) => `The user's ${p(KIN)} ${p(PEOPLE)} visits ${p(PLACES)} ${p(WHEN)} and ${p(LIKES)} ${p(ADJ)} ${p(THINGS)}`,
  (p, n) => `Meeting with ${p(PEOPLE)} about ${p(PROJECTS)} ${p(PARTS)} is ${p(WHEN)} at ${7 + Math.floor(n() * 12)}:${p(["00", "15", "30", "45"])}`,
  (p, n) => `The user's ${p(ADJ)} ${p(THINGS)} cost ${5 + Math.floor(n() * 995)} euros in ${p(PLACES)}`,
  (p, n) => `${p(PEOPLE)} recommends ${p(TECH)} for the ${p(PARTS)} ${p(WHY)}`,
];

/** `count` fact texts, deterministic for a seed. */
export function factTexts(count, seed = 42) {
  const { next, pick } = seeded(seed);
  return Array.from({ length: count }, () => TEMPLATES[Math.floor(next() * TEMPLATES.length)](pick, next));
}

const FUNCTION_WORDS = new Set("a an and as at from in is of on the to".split(" "));

/** Short queries (3–6 words of a fresh fact, function words left out), the way a recall question names a few things it is about. */
export function queryTexts(count, seed = 4242) {
  const { next } = seeded(seed);
  return factTexts(count, seed + 1).map((text) => {
    const ws = text.split(/\s+/).filter((w) => !FUNCTION_WORDS.has(w.toLowerCase()));
    const n = 3 + Math.floor(next() * 4);
    const start = Math.floor(next() * Math.max(1, ws.length - n));
    return ws.slice(start, start + n).join(" ");
  });
}

/** LanceDB as the memory plugin loads it (the bench has no dependency of its own on it). */
export async function importLanceDb() {
  const require = createRequire(createRequire(import.meta.url).resolve("@aleph/plugin-memory/runtime"));
  return import(pathToFileURL(require.resolve("@lancedb/lancedb")).href);
}

/**
 * A facts-table row as FactStore.addMany writes a new fact (`newRow` in plugins/memory/src/facts/rows.ts): for the raw
 * `table.add` baseline and for filling a table fast in the search bench's setup.
 */
export function factRow(id, agentId, text, vector, model, now) {
  return {
    id,
    agent_id: agentId,
    scope: "agent",
    text,
    content_hash: `h${id}`,
    category: "fact",
    tags: "[]",
    importance: 0.5,
    confidence: 1,
    pinned: false,
    evergreen: false,
    sources: "[]",
    created_at: now,
    updated_at: now,
    last_accessed_at: now,
    access_count: 0,
    expires_at: null,
    invalidated_at: null,
    superseded_by: null,
    embedding_model: model,
    vector: Array.from(vector),
  };
}
