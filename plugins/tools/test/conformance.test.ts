import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { runPluginConformance } from "@aleph/testing";

const toolsDir = fileURLToPath(new URL("..", import.meta.url));

it("the tools plugin passes the conformance kit", async () => {
  const result = await runPluginConformance(toolsDir);
  expect(result.checks.filter((c) => !c.ok)).toEqual([]);
});

it("the conformance kit catches a plugin that leaves a tool registered after it unloads", async () => {
  const dir = join(mkdtempSync(join(tmpdir(), "aleph-leaky-")), "leaky");
  mkdirSync(dir);
  writeFileSync(join(dir, "aleph_plugin.toml"), '[plugin]\nid = "leaky"\nversion = "1.0.0"\nentry = "index.js"\n[services]\nrequires = ["tools"]\n');
  // Registers without ctx.onDispose: the registration outlives the plugin.
  writeFileSync(
    join(dir, "index.js"),
    'let n = 0;\nexport default { setup(ctx) { ctx.services.get("tools").register({ name: `leak_${++n}`, description: "leaks", parameters: { type: "object" }, handler: () => null }, ctx.id); } };\n',
  );
  const result = await runPluginConformance(dir, { plugins: [toolsDir] });
  expect(result.ok).toBe(false);
  const failed = result.checks.filter((c) => !c.ok).map((c) => c.name);
  expect(failed).toContain("nothing leaks across a reload (subscriptions, services, tools)");
  expect(failed).toContain("unloading removes everything it registered");
});
