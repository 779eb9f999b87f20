// Shared by the tests in this directory (not exported from index.ts).
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, lstatSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

export const tempRoot = (): string => mkdtempSync(join(tmpdir(), "aleph-agents-"));

/** Every path under `dir`, relative, directories with a trailing "/", sorted. Symlinks are not followed. */
export function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      const rel = relative(dir, path);
      if (lstatSync(path).isDirectory()) {
        out.push(`${rel}/`);
        walk(path);
      } else out.push(rel);
    }
  };
  walk(dir);
  return out.sort();
}

/** sha256 of every regular file under `dir`, by relative path. */
export function checksums(dir: string): Record<string, string> {
  const sums: Record<string, string> = {};
  for (const rel of tree(dir)) {
    if (rel.endsWith("/")) continue;
    const path = join(dir, rel);
    if (!lstatSync(path).isFile()) continue;
    sums[rel] = createHash("sha256").update(readFileSync(path)).digest("hex");
  }
  return sums;
}

/** The AlephError code a promise or function fails with. */
export async function codeOf(run: () => unknown): Promise<string | undefined> {
  try {
    await run();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}
