/*
 * A damaged sessions.db through the real CLI: `aleph sessions append` refuses (exit 1,
 * ALEPH_E_CORRUPT) instead of storing the message as seq 1 of a key that already has messages, and
 * `aleph doctor` reports the same damage, so the two never disagree.
 */
import { closeSync, openSync, readFileSync, writeSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { createWorkspace, runCli, runCliJson } from "./support/aleph.js";

// The sessions plugin's own driver (the e2e package does not depend on it), typed as far as used here.
interface ReadOnlyDb {
  prepare(sql: string): { get(...params: unknown[]): unknown };
  pragma(source: string, options: { simple: true }): unknown;
  close(): void;
}
const Database = createRequire(join(fileURLToPath(new URL("..", import.meta.url)), "plugins/sessions/package.json"))("better-sqlite3") as new (file: string, options: { readonly: boolean }) => ReadOnlyDb;

describe("aleph sessions on a damaged sessions.db", () => {
  test("an index entry overwritten in place: append refuses with ALEPH_E_CORRUPT and doctor reports the damage", async () => {
    const ws = createWorkspace();
    await runCli(ws, ["init"]);
    for (const agent of ["a", "b"]) {
      for (let i = 1; i <= 3; i++) expect((await runCli(ws, ["sessions", "append", `agent:${agent}:main`, "--role", "user", "--content", `${agent} ${i}`])).code).toBe(0);
    }
    const file = join(ws.root, "sessions.db");
    const db = new Database(file, { readonly: true });
    const root = (db.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'session_heads_live_key'").get() as { rootpage: number }).rootpage;
    const pageSize = db.pragma("page_size", { simple: true }) as number;
    db.close();
    const bytes = readFileSync(file);
    const at = bytes.indexOf("agent:a:main", (root - 1) * pageSize);
    expect(at).toBeGreaterThan(0);
    expect(at).toBeLessThan(root * pageSize);
    // The index entry now says "agent:XXXXXX": a well-formed page, so only a check of index against table sees it.
    const fd = openSync(file, "r+");
    writeSync(fd, Buffer.from("XXXXXX"), 0, 6, at + "agent:".length);
    closeSync(fd);

    const append = await runCli(ws, ["sessions", "append", "agent:a:main", "--role", "user", "--content", "after the damage"]);
    expect(append.code).toBe(1);
    expect(append.stdout.trim()).toBe("");
    expect(append.stderr).toMatch(/ALEPH_E_CORRUPT: .*sessions\.db is damaged \(.*missing from index session_heads_live_key/);
    expect(append.stderr).toMatch(/aleph doctor/);

    const report = await runCliJson(ws, ["doctor", "--json"], 1);
    expect(report.findings.filter((f: { check: string }) => f.check === "databases")).toEqual([
      expect.objectContaining({ ok: false, path: file, message: expect.stringMatching(/integrity_check: .*missing from index session_heads_live_key/), fix: expect.stringMatching(/restore it from a backup/) }),
    ]);

    // Nothing was written: the key still ends at seq 3, in one head row.
    const after = new Database(file, { readonly: true });
    expect(after.prepare("SELECT count(*) AS heads, max(last_seq) AS lastSeq FROM session_heads NOT INDEXED WHERE session_key = 'agent:a:main'").get()).toEqual({ heads: 1, lastSeq: 3 });
    after.close();
  });
});
