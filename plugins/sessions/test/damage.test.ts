import { openSync, readSync, writeSync, closeSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import Database from "better-sqlite3";
import { createTestKernel } from "@aleph/testing";
import { pluginDir, reader, start, stop, tempRoot } from "./helpers.js";

/*
 * Real damage to a real file: bytes of a b-tree page of sessions.db overwritten, as a failing disk
 * or a stray write would. The store must refuse writes (ALEPH_E_CORRUPT, pointing at doctor), never
 * give an existing key seq 1 again, and keep serving what SQLite can still read.
 */

const user = (content: string) => ({ role: "user" as const, content });

/** The page of the b-tree `name` (table or index) starts at this byte of the file, of this size. */
function pageOf(file: string, name: string): { offset: number; size: number } {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const root = (db.prepare("SELECT rootpage FROM sqlite_master WHERE name = ?").get(name) as { rootpage: number }).rootpage;
    const size = db.pragma("page_size", { simple: true }) as number;
    return { offset: (root - 1) * size, size };
  } finally {
    db.close();
  }
}

function overwrite(file: string, offset: number, bytes: Buffer): void {
  const fd = openSync(file, "r+");
  try {
    writeSync(fd, bytes, 0, bytes.length, offset);
  } finally {
    closeSync(fd);
  }
}

function readPage(file: string, page: { offset: number; size: number }): Buffer {
  const buffer = Buffer.alloc(page.size);
  const fd = openSync(file, "r");
  try {
    readSync(fd, buffer, 0, page.size, page.offset);
  } finally {
    closeSync(fd);
  }
  return buffer;
}

const quickCheck = (file: string) => {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db.pragma("quick_check", { simple: true });
  } finally {
    db.close();
  }
};

/** Three sessions of three messages each, written and closed (the WAL checkpointed into the file). */
async function threeSessions(): Promise<{ root: string; file: string }> {
  const root = tempRoot();
  const { sessions } = await start({ root });
  for (const agent of ["a", "b", "c"]) for (let i = 1; i <= 3; i++) await sessions.append(`agent:${agent}:main`, user(`${agent} ${i}`));
  await stop();
  return { root, file: join(root, "sessions.db") };
}

/** What is really in the file for a key: its head rows and the highest seq stored, read past the damaged index. */
function stored(root: string, key: string): { heads: number; maxSeq: number | null } {
  const db = reader(root);
  try {
    return db.prepare("SELECT count(*) AS heads, (SELECT max(seq) FROM session_messages NOT INDEXED WHERE session_id IN (SELECT id FROM session_heads NOT INDEXED WHERE session_key = ?)) AS maxSeq FROM session_heads NOT INDEXED WHERE session_key = ?").get(key, key) as {
      heads: number;
      maxSeq: number | null;
    };
  } finally {
    db.close();
  }
}

describe("a damaged sessions.db", () => {
  it("refuses writes from the start when the key index page is overwritten, and the key never restarts at seq 1", async () => {
    const { root, file } = await threeSessions();
    const index = pageOf(file, "session_heads_live_key");
    // The cells sit at the end of the page: overwrite them.
    overwrite(file, index.offset + index.size - 96, Buffer.alloc(96, "X"));
    expect(quickCheck(file)).not.toBe("ok");

    const { sessions } = await start({ root });
    const refused = sessions.append("agent:a:main", user("after the damage"));
    await expect(refused).rejects.toMatchObject({ code: "ALEPH_E_CORRUPT", message: expect.stringMatching(/sessions\.db is damaged \(.*Tree \d+ page \d+/), fix: expect.stringMatching(/aleph doctor/) });
    await expect(sessions.create("agent:new:main")).rejects.toMatchObject({ code: "ALEPH_E_CORRUPT" });
    await stop();

    expect(stored(root, "agent:a:main")).toEqual({ heads: 1, maxSeq: 3 });
    expect(stored(root, "agent:new:main")).toEqual({ heads: 0, maxSeq: null });
  });

  it("catches an index entry that no longer matches its row (which quick_check does not see) before an append could start the key afresh", async () => {
    const { root, file } = await threeSessions();
    const index = pageOf(file, "session_heads_live_key");
    const page = readPage(file, index);
    const at = page.indexOf("agent:a:main");
    expect(at).toBeGreaterThan(0);
    // Same length, still a well-formed page: the entry now reads "agent:XXXXXX".
    overwrite(file, index.offset + at + "agent:".length, Buffer.from("XXXXXX"));
    expect(quickCheck(file)).toBe("ok");

    const { sessions } = await start({ root });
    await expect(sessions.append("agent:a:main", user("after the damage"))).rejects.toMatchObject({ code: "ALEPH_E_CORRUPT", message: expect.stringMatching(/missing from index session_heads_live_key/) });
    // Reads are served: this lookup walks the index, where "agent:b:main" is intact.
    expect(await sessions.get("agent:b:main")).toMatchObject({ lastSeq: 3 });
    expect((await sessions.history("agent:b:main")).map((m) => m.content)).toEqual(["b 1", "b 2", "b 3"]);
    await stop();
    expect(stored(root, "agent:a:main")).toEqual({ heads: 1, maxSeq: 3 });
  });

  it("turns read-only when SQLite reports damage on a statement while running, and keeps serving what still reads", async () => {
    const root = tempRoot();
    const file = join(root, "sessions.db");
    const { sessions } = await start({ root });
    await sessions.append("agent:a:main", Array.from({ length: 200 }, (_, i) => user(`a ${i} ${"x".repeat(300)}`)));
    await sessions.append("agent:b:main", user("b 1"));
    // Move the WAL into the file, so the damage below is what the running store reads next.
    const other = new Database(file);
    other.pragma("wal_checkpoint(TRUNCATE)");
    other.close();
    const messages = pageOf(file, "session_messages");
    overwrite(file, messages.offset, Buffer.alloc(messages.size, 0xa5));

    await expect(sessions.history("agent:a:main", { limit: 10_000 })).rejects.toMatchObject({ code: "ALEPH_E_CORRUPT", fix: expect.stringMatching(/aleph doctor/) });
    // From now on every write is refused, even one that would touch only intact pages…
    await expect(sessions.create("agent:c:main")).rejects.toMatchObject({ code: "ALEPH_E_CORRUPT" });
    await expect(sessions.append("agent:b:main", user("b 2"))).rejects.toMatchObject({ code: "ALEPH_E_CORRUPT" });
    // …and what still reads is served.
    expect(await sessions.get("agent:b:main")).toMatchObject({ lastSeq: 1, messageCount: 1 });
    expect((await sessions.list()).map((s) => s.key).sort()).toEqual(["agent:a:main", "agent:b:main"]);
    await stop();

    // The next start finds the damage at open.
    const again = await start({ root });
    await expect(again.sessions.append("agent:b:main", user("b 2"))).rejects.toMatchObject({ code: "ALEPH_E_CORRUPT" });
    await stop();
    const db = reader(root);
    expect(db.prepare("SELECT count(*) AS n FROM session_heads NOT INDEXED WHERE session_key = 'agent:c:main'").get()).toEqual({ n: 0 });
    db.close();
  });

  it("fails the plugin with ALEPH_E_CORRUPT, not a generic setup error, when nothing in the file can be read", async () => {
    const root = tempRoot();
    writeFileSync(join(root, "sessions.db"), Buffer.alloc(8192, "not a database "), { mode: 0o600 });
    const kernel = await createTestKernel({ plugins: [pluginDir], root });
    try {
      expect(kernel.plugin("sessions")).toMatchObject({
        status: "failed",
        error: { message: expect.stringMatching(/ALEPH_E_CORRUPT: .*sessions\.db is damaged and nothing in it can be read \(file is not a database\)/), fix: expect.stringMatching(/restore it from a backup/) },
      });
    } finally {
      await kernel.stop();
    }
  });
});
