import { existsSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
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

/**
 * `PRAGMA quick_check` on every SQLite file present, opened read-only: doctor never writes to a
 * database. The driver (a native addon) is loaded only when there is a database to check.
 */
export function checkDatabases({ paths }: DoctorContext): Finding[] {
  if (!existsSync(paths.root)) return [];
  const files = databases(paths.root);
  if (files.length === 0) return [];
  const Database = createRequire(import.meta.url)("better-sqlite3") as typeof import("better-sqlite3");
  return files.map((file): Finding => {
    try {
      const db = new Database(file, { readonly: true, fileMustExist: true });
      try {
        const rows = db.pragma("quick_check") as { quick_check: string }[];
        const problems = rows.map((r) => r.quick_check).filter((r) => r !== "ok");
        return problems.length === 0
          ? { check: "databases", ok: true, message: "quick_check ok", path: file }
          : { check: "databases", ok: false, message: `quick_check: ${problems.slice(0, 3).join("; ")}${problems.length > 3 ? ` (+${problems.length - 3} more)` : ""}`, path: file, fix: "restore the file from a backup; keep the damaged one aside rather than deleting it" };
      } finally {
        db.close();
      }
    } catch (error) {
      return { check: "databases", ok: false, message: `cannot be read as SQLite: ${(error as Error).message}`, path: file, fix: "restore the file from a backup; keep the damaged one aside rather than deleting it" };
    }
  });
}
