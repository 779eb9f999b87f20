import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { assertPluginConformance, runPluginConformance } from "./index.js";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A plugin directory with a plain-JS entry (no build needed). */
function pluginDir(id: string, entry: string): string {
  const dir = mkdtempSync(join(tmpdir(), `aleph-conformance-${id}-`));
  dirs.push(dir);
  writeFileSync(join(dir, "aleph_plugin.toml"), `[plugin]\nid = "${id}"\nversion = "1.0.0"\nentry = "index.js"\napi = "^1"\n`);
  writeFileSync(join(dir, "index.js"), entry);
  return dir;
}

describe("runPluginConformance", () => {
  it("passes a plugin that registers everything through ctx", async () => {
    const dir = pluginDir("tidy", `export default { setup(ctx) { ctx.events.on("tidy.ping", () => {}); } };`);
    const result = await assertPluginConformance(dir);
    expect(result.id).toBe("tidy");
    expect(result.checks.every((c) => c.ok)).toBe(true);
    expect(result.checks.map((c) => c.name)).toContain("nothing leaks across a reload (subscriptions, services, tools)");
  });

  it("fails a plugin whose setup throws on its second generation, and says which checks failed", async () => {
    const dir = pluginDir("flaky", `export default { setup(ctx) { if (ctx.generation === 2) throw new Error("second time unlucky"); } };`);
    const result = await runPluginConformance(dir);
    expect(result.ok).toBe(false);
    expect(result.checks.filter((c) => !c.ok).map((c) => c.name)).toContain("a reload gives the next generation");
    await expect(assertPluginConformance(dir)).rejects.toThrow(/plugin "flaky" does not conform:\n {2}✗ a reload gives the next generation/);
  });

  it("refuses a directory without a manifest", async () => {
    const dir = mkdtempSync(join(tmpdir(), "aleph-conformance-empty-"));
    dirs.push(dir);
    await expect(runPluginConformance(dir)).rejects.toThrow("holds no aleph_plugin.toml");
  });
});
