import { mkdtempSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { EVOLUTION_MIGRATIONS, EVOLUTION_SCHEMA_VERSION, migrateEvolution, type EvolutionMigration } from "./evolution-schema.js";
import { EvolutionStore, MAX_ERROR_CHARS, type SkillUseInput } from "./evolution-store.js";
import { SUGGESTION_ID_PATTERN } from "./suggestion-id.js";

const stores: EvolutionStore[] = [];
const tempFile = () => join(mkdtempSync(join(tmpdir(), "aleph-evolution-")), "evolution.db");
const store = (file = tempFile()) => {
  const s = new EvolutionStore(file);
  stores.push(s);
  return s;
};
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

const use = (skill: string, turnId: string, at: number, extra: Partial<SkillUseInput> = {}): SkillUseInput => ({ skill, agentId: "main", sessionKey: "agent:main:cli", turnId, via: "read", at, ...extra });

describe("evolution store: uses and metrics", () => {
  it("does not touch the file until first used, then makes it private, in WAL mode, at the current schema", () => {
    const file = tempFile();
    const s = store(file);
    expect(() => statSync(file)).toThrow();
    expect(s.metrics()).toEqual([]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const db = new (createRequire(import.meta.url)("better-sqlite3") as typeof Database)(file, { readonly: true });
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.pragma("user_version", { simple: true })).toBe(EVOLUTION_SCHEMA_VERSION);
    db.close();
  });

  it("closes a turn's uses with its outcome and counts completed, failed, cancelled and unfinished apart", () => {
    const s = store();
    s.recordUse(use("git-commit", "t1", 1_000));
    s.recordUse(use("pdf", "t1", 1_100, { via: "auto" }));
    expect(s.endTurn("t1", { outcome: "completed", at: 2_000 })).toBe(2);
    s.recordUse(use("git-commit", "t2", 3_000));
    expect(s.endTurn("t2", { outcome: "failed", error: "git: not a repository", at: 7_000 })).toBe(1);
    s.recordUse(use("git-commit", "t3", 8_000, { via: "invoke" }));
    expect(s.endTurn("t3", { outcome: "cancelled", error: "cancelled by the user", at: 8_500 })).toBe(1);
    s.recordUse(use("git-commit", "t4", 9_000)); // the kernel stopped mid-turn: never ended
    expect(s.endTurn("t-none", { outcome: "completed", at: 9_000 })).toBe(0);

    const git = s.metricsOf("git-commit");
    // Cancelled uses count in neither side of the rate; the unfinished one only in uses and lastUsedAt.
    expect(git).toEqual({ name: "git-commit", uses: 4, completed: 1, failed: 1, cancelled: 1, successRate: 0.5, p50Ms: 1_000, lastUsedAt: 9_000 });
    expect(s.metrics().map((m) => m.name)).toEqual(["git-commit", "pdf"]);
    expect(s.metricsOf("pdf")).toMatchObject({ uses: 1, completed: 1, successRate: 1, p50Ms: 900 });
  });

  it("gives zero metrics with null rates to a skill never used or never finished", () => {
    const s = store();
    expect(s.metricsOf("nothing")).toEqual({ name: "nothing", uses: 0, completed: 0, failed: 0, cancelled: 0, successRate: null, p50Ms: null, lastUsedAt: null });
    s.recordUse(use("open", "t1", 5));
    expect(s.metricsOf("open")).toEqual({ name: "open", uses: 1, completed: 0, failed: 0, cancelled: 0, successRate: null, p50Ms: null, lastUsedAt: 5 });
    s.endTurn("t1", { outcome: "cancelled", at: 10 });
    expect(s.metricsOf("open")).toMatchObject({ successRate: null, p50Ms: 5 });
  });

  it("counts a skill loaded twice in one turn as one use, keeping the first start", () => {
    const s = store();
    expect(s.recordUse(use("pdf", "t1", 100, { via: "auto" }))).toBe(true);
    expect(s.recordUse(use("pdf", "t1", 400, { via: "read" }))).toBe(false);
    expect(s.endTurn("t1", { outcome: "completed", at: 1_100 })).toBe(1);
    expect(s.metricsOf("pdf")).toMatchObject({ uses: 1, completed: 1, p50Ms: 1_000, lastUsedAt: 100 });
    // An ended turn's uses are not ended again.
    expect(s.endTurn("t1", { outcome: "failed", at: 2_000 })).toBe(0);
    expect(s.metricsOf("pdf")).toMatchObject({ completed: 1, failed: 0 });
  });

  it("takes the median duration: the middle one, or the mean of the two middle ones", () => {
    const s = store();
    const durations = [50, 10, 40, 20, 30];
    durations.forEach((ms, i) => {
      s.recordUse(use("a", `a${i}`, 1_000 * i));
      s.endTurn(`a${i}`, { outcome: i % 2 ? "failed" : "completed", at: 1_000 * i + ms });
    });
    expect(s.metricsOf("a").p50Ms).toBe(30);
    [10, 20, 31, 1_000].forEach((ms, i) => {
      s.recordUse(use("b", `b${i}`, 0));
      s.endTurn(`b${i}`, { outcome: "completed", at: ms });
    });
    expect(s.metricsOf("b").p50Ms).toBe(26); // (20 + 31) / 2, rounded
    // Both at once: each skill's median from its own uses.
    expect(s.metrics().map((m) => [m.name, m.p50Ms])).toEqual([["a", 30], ["b", 26]]);
  });

  it("lists a skill's failed uses newest first, bounded, and keeps errors short", () => {
    const s = store();
    for (let i = 0; i < 5; i++) {
      s.recordUse(use("x", `t${i}`, i * 10, { sessionKey: `agent:main:s${i}`, agentId: i === 4 ? "ops" : "main" }));
      s.endTurn(`t${i}`, { outcome: i === 2 ? "completed" : "failed", error: i === 0 ? "e".repeat(10_000) : `error ${i}`, at: i * 10 + 5 });
    }
    s.recordUse(use("x", "t9", 100));
    s.endTurn("t9", { outcome: "failed", at: 120 });
    const failing = s.failingUses("x", 3);
    expect(failing).toEqual([
      { sessionKey: "agent:main:cli", turnId: "t9", agentId: "main", startedAt: 100, error: null },
      { sessionKey: "agent:main:s4", turnId: "t4", agentId: "ops", startedAt: 40, error: "error 4" },
      { sessionKey: "agent:main:s3", turnId: "t3", agentId: "main", startedAt: 30, error: "error 3" },
    ]);
    const oldest = s.failingUses("x", 10).at(-1)!;
    expect(oldest.turnId).toBe("t0");
    expect(oldest.error!.length).toBeLessThan(MAX_ERROR_CHARS + 40);
    expect(oldest.error).toMatch(/characters cut\]$/);
    expect(s.failingUses("other", 10)).toEqual([]);
  });

  it("keeps its data across a reopen, and two stores on one file see each other's writes", () => {
    const file = tempFile();
    const kernel = store(file);
    const cli = store(file);
    kernel.recordUse(use("pdf", "t1", 1));
    expect(cli.metricsOf("pdf").uses).toBe(1);
    cli.recordUse(use("pdf", "t2", 2));
    kernel.endTurn("t2", { outcome: "failed", error: "boom", at: 12 });
    expect(cli.failingUses("pdf", 5)).toHaveLength(1);
    const added = cli.addSuggestion({ skill: "pdf", agentId: "main", reason: "r", file: "/x/pdf/SKILL.md", content: "---\n" });
    expect(kernel.suggestion(added.id).content).toBe("---\n");
    kernel.close();
    cli.close();
    const again = store(file);
    expect(again.metricsOf("pdf")).toMatchObject({ uses: 2, failed: 1 });
    expect(again.suggestions()).toHaveLength(1);
    // A closed store opens the file again when used.
    kernel.recordUse(use("pdf", "t3", 3));
    expect(again.metricsOf("pdf").uses).toBe(3);
  });

  it("refuses a file that is not a database, and one from a newer Aleph, with what to do", () => {
    const junk = tempFile();
    writeFileSync(junk, "this is not SQLite, not at all, and long enough to have a header".repeat(20));
    expect(() => store(junk).metrics()).toThrow(expect.objectContaining({ code: "ALEPH_E_CORRUPT", fix: expect.stringContaining("move it aside") }));
    const newer = tempFile();
    store(newer).metrics();
    const db = new (createRequire(import.meta.url)("better-sqlite3") as typeof Database)(newer);
    db.pragma(`user_version = ${EVOLUTION_SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => store(newer).metrics()).toThrow(expect.objectContaining({ code: "ALEPH_E_SETUP", fix: expect.stringContaining("upgrade Aleph") }));
  });

  it("migrates step by step: a later version can add a column to a file with data", () => {
    const file = tempFile();
    const s = store(file);
    s.recordUse(use("pdf", "t1", 1));
    s.close();
    const db = new (createRequire(import.meta.url)("better-sqlite3") as typeof Database)(file);
    const v2: EvolutionMigration = { version: EVOLUTION_SCHEMA_VERSION + 1, up: (d) => d.exec("ALTER TABLE uses ADD COLUMN tokens INTEGER") };
    migrateEvolution(db, file, [...EVOLUTION_MIGRATIONS, v2]);
    migrateEvolution(db, file, [...EVOLUTION_MIGRATIONS, v2]); // a second run is a no-op
    expect(db.pragma("user_version", { simple: true })).toBe(EVOLUTION_SCHEMA_VERSION + 1);
    expect(db.prepare("SELECT skill, tokens FROM uses").all()).toEqual([{ skill: "pdf", tokens: null }]);
    db.close();
  });

  it("uses the indexes for a turn's uses and a skill's uses", () => {
    const file = tempFile();
    store(file).metrics();
    const db = new (createRequire(import.meta.url)("better-sqlite3") as typeof Database)(file, { readonly: true });
    const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join(" | ");
    expect(plan("UPDATE uses SET outcome = 'failed' WHERE turn_id = 'x' AND outcome IS NULL")).toMatch(/USING INDEX uses_turn/);
    expect(plan("SELECT * FROM uses WHERE skill = 'x' AND outcome = 'failed' ORDER BY started_at DESC LIMIT 5")).toMatch(/USING INDEX uses_skill/);
    db.close();
  });
});

describe("evolution store: suggestions", () => {
  const input = { skill: "pdf", agentId: "main", reason: "4 of 6 finished uses failed (67% > 30%)", file: "/root/skills/pdf/SKILL.md", content: "---\nname: pdf\n---\n" };

  it("stores a pending suggestion with a short id, and lists newest first, by status and skill", () => {
    const s = store();
    const a = s.addSuggestion({ ...input, at: 100 });
    const b = s.addSuggestion({ ...input, skill: "git-commit", at: 200 });
    const c = s.addSuggestion({ ...input, at: 200 });
    expect(a).toEqual({ id: a.id, ...input, status: "pending", createdAt: 100, decidedAt: null, backupFile: null });
    expect(a.id).toMatch(SUGGESTION_ID_PATTERN);
    expect(new Set([a.id, b.id, c.id]).size).toBe(3);
    expect(s.suggestions().map((x) => x.id)).toEqual([c.id, b.id, a.id]); // same time: the later one first
    expect(s.suggestions({ skill: "pdf" }).map((x) => x.id)).toEqual([c.id, a.id]);
    expect(s.suggestion(a.id)).toEqual(a);
    expect(s.suggestion(` ${a.id.toUpperCase()} `).id).toBe(a.id);

    s.decide(a.id, "applied", "/root/skills/pdf/SKILL.md.20260101-000000.bak", 300);
    s.decide(b.id, "rejected", undefined, 400);
    expect(s.suggestions({ status: "pending" }).map((x) => x.id)).toEqual([c.id]);
    expect(s.suggestions({ status: "applied", skill: "pdf" })).toEqual([{ ...a, status: "applied", decidedAt: 300, backupFile: "/root/skills/pdf/SKILL.md.20260101-000000.bak" }]);
    expect(s.suggestion(b.id)).toMatchObject({ status: "rejected", decidedAt: 400, backupFile: null });
  });

  it("decides a suggestion once: again is a conflict saying when, an unknown id is not found", () => {
    const s = store();
    const a = s.addSuggestion(input);
    const applied = s.decide(a.id, "applied", "/b.bak", Date.parse("2026-03-05T09:07:03Z"));
    expect(applied).toMatchObject({ status: "applied", backupFile: "/b.bak" });
    expect(() => s.decide(a.id, "rejected")).toThrow(
      expect.objectContaining({ code: "ALEPH_E_CONFLICT", message: expect.stringMatching(/already applied on 2026-03-05T09:07:03\.000Z.*\/b\.bak/), fix: expect.stringContaining("aleph skills suggestions list") }),
    );
    expect(() => s.decide(a.id, "applied")).toThrow(expect.objectContaining({ code: "ALEPH_E_CONFLICT" }));
    expect(s.suggestion(a.id).status).toBe("applied");
    expect(() => s.suggestion("sg_0000000000")).toThrow(expect.objectContaining({ code: "ALEPH_E_NOT_FOUND", fix: expect.stringContaining("`aleph skills suggestions list`") }));
    expect(() => s.decide("nope", "rejected")).toThrow(expect.objectContaining({ code: "ALEPH_E_NOT_FOUND" }));
  });
});
