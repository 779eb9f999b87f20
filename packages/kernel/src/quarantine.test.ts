import { mkdtempSync, writeFileSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { liftQuarantine, quarantineOf, readQuarantine, recordCrash, writeQuarantine } from "./quarantine.js";

function pluginFiles() {
  const dir = mkdtempSync(join(tmpdir(), "aleph-q-"));
  const files = { manifestFile: join(dir, "aleph_plugin.toml"), entryFile: join(dir, "index.js") };
  writeFileSync(files.manifestFile, "[plugin]\n");
  writeFileSync(files.entryFile, "export default {}\n");
  return files;
}

describe("quarantine", () => {
  it("a certain blame quarantines at once; an uncertain one only at the quarantine_after-th crash", () => {
    const state = readQuarantine(mkdtempSync(join(tmpdir(), "aleph-q-run-")));
    const files = pluginFiles();
    expect(recordCrash(state, { id: "a", reason: "exit", certain: true, files }, 3)).toBe(true);
    expect(recordCrash(state, { id: "b", reason: "stall", certain: false, files }, 2)).toBe(false);
    expect(quarantineOf(state, "b", files)).toBeUndefined();
    expect(recordCrash(state, { id: "b", reason: "stall again", certain: false, files }, 2)).toBe(true);
    expect(quarantineOf(state, "b", files)).toMatchObject({ reason: "stall again", crashes: 2, certain: false });
  });

  it("lapses when the plugin's manifest or entry changes, and the crash count starts over", () => {
    const state = readQuarantine(mkdtempSync(join(tmpdir(), "aleph-q-run-")));
    const files = pluginFiles();
    recordCrash(state, { id: "a", reason: "oom", certain: true, files }, 2);
    expect(quarantineOf(state, "a", files)).toBeDefined();
    writeFileSync(files.entryFile, "export default { fixed: true }\n");
    utimesSync(files.entryFile, new Date(), new Date(Date.now() + 5000));
    expect(quarantineOf(state, "a", files), "edited: a fresh start").toBeUndefined();
    expect(recordCrash(state, { id: "a", reason: "again", certain: false, files }, 2), "counted anew on the new files").toBe(false);
  });

  it("round-trips through run/quarantine.json; lifting forgets crashes; a damaged file keeps nobody out", () => {
    const runDir = mkdtempSync(join(tmpdir(), "aleph-q-run-"));
    const state = readQuarantine(runDir);
    recordCrash(state, { id: "a", reason: "exit", certain: true, files: undefined }, 2);
    writeQuarantine(runDir, state);
    const again = readQuarantine(runDir);
    expect(quarantineOf(again, "a", undefined)).toMatchObject({ reason: "exit" });
    expect(liftQuarantine(again, "a")).toBe(true);
    expect(liftQuarantine(again, "a")).toBe(false);
    writeFileSync(join(runDir, "quarantine.json"), "{not json");
    expect(readQuarantine(runDir)).toEqual({ quarantined: {}, crashes: {} });
  });
});
