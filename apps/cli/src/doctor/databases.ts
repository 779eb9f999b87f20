import { existsSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { nativeModuleError } from "@aleph/plugin-sdk";
import type { DoctorContext, Finding } from "./checks.js";

/** SQLite files of the workspace: at the root (sessions.db, evolution.db…) and one level down (memory/graph.db…). */
function databases(root: string): string[] {
  const found: string[] = [];
  const scan = (dir: string, depth: number) => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      const path = join(dir, name);
      let stat;
      try {
        stat = statSync(path);
      } catch {
        continue;
      }
      if (stat.isFile() && name.endsWith(".db")) found.push(path);
      else if (stat.isDirectory() && depth > 0 && !name.startsWith(".") && !["plugins", "node_modules", "logs", "run"].includes(name)) scan(path, depth - 1);
    }
  };
  scan(root, 1);
  return found.sort();
}

const DAMAGED_FIX = "stop Aleph, keep the damaged file aside (with any -wal / -shm beside it) rather than deleting it, and restore it from a backup (for sessions.db, see docs/sessions.md: what still reads can be exported first)";

/**
 * `PRAGMA integrity_check` on every SQLite file present, opened read-only: doctor never writes to
 * a database. It is the thorough check (quick_check plus: every index matches its table), so it
 * finds at least what the sessions plugin checks when it opens sessions.db and refuses writes for.
 * The driver (a native addon) is loaded only when there is a database to check; when it cannot
 * load (built for another Node), that is one finding about the driver, not about every file.
 */
export function checkDatabases({ paths }: DoctorContext): Finding[] {
  if (!existsSync(paths.root)) return [];
  const files = databases(paths.root);
  if (files.length === 0) return [];
  const findings: Finding[] = [];
  for (const file of files) {
    try {
      const Database = createRequire(import.meta.url)("better-sqlite3") as typeof import("better-sqlite3");
      const db = new Database(file, { readonly: true, fileMustExist: true });
      try {
        const rows = db.pragma("integrity_check") as { integrity_check: string }[];
        const problems = rows.flatMap((r) => r.integrity_check.split("\n")).filter((r) => r !== "ok" && r !== "*** in database main ***");
        findings.push(
          problems.length === 0
            ? { check: "databases", ok: true, message: "integrity_check ok", path: file }
            : { check: "databases", ok: false, message: `integrity_check: ${problems.slice(0, 3).join("; ")}${problems.length > 3 ? ` (+${problems.length - 3} more)` : ""}`, path: file, fix: DAMAGED_FIX },
        );
      } finally {
        db.close();
      }
    } catch (error) {
      const native = nativeModuleError(error, "better-sqlite3");
      if (native) return [{ check: "databases", ok: false, message: `${native.code}: ${native.message}; the databases were not checked`, ...(native.file ? { path: native.file } : {}), ...(native.fix ? { fix: native.fix } : {}) }];
      findings.push({ check: "databases", ok: false, message: `cannot be read as SQLite: ${(error as Error).message}`, path: file, fix: DAMAGED_FIX });
    }
  }
  return findings;
}
