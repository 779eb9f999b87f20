import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeFileAtomic, writeFileAtomicSync } from "./atomic-write.js";

describe("atomic writes", () => {
  it("replaces a file's content and leaves no temp file behind", async () => {
    const dir = mkdtempSync(join(tmpdir(), "aleph-atomic-"));
    const file = join(dir, "state.json");
    writeFileSync(file, "old");
    await writeFileAtomic(file, "new");
    writeFileAtomicSync(join(dir, "other.json"), new Uint8Array([104, 105]));
    expect(readFileSync(file, "utf8")).toBe("new");
    expect(readFileSync(join(dir, "other.json"), "utf8")).toBe("hi");
    expect(readdirSync(dir).sort()).toEqual(["other.json", "state.json"]);
  });

  it("creates a new file with the requested mode", async () => {
    const dir = mkdtempSync(join(tmpdir(), "aleph-atomic-"));
    await writeFileAtomic(join(dir, "secret"), "x", { mode: 0o600 });
    expect(statSync(join(dir, "secret")).mode & 0o777).toBe(0o600);
  });

  it("fails without touching the target when the directory does not exist", async () => {
    await expect(writeFileAtomic("/nonexistent-dir/x", "y")).rejects.toThrow(/ENOENT/);
  });
});
