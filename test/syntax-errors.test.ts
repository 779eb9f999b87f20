/*
 * A plugin whose code does not compile: `plugins inspect`, `status` and the plugin.failed event
 * say which file, line and column, and quote the line — also when the broken file is a module the
 * entry imports (Node gives no location for an ES module's syntax error by itself).
 */
import { realpathSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { createWorkspace, runCli, runCliJson, startKernel } from "./support/aleph.js";
import { writePlugin } from "./support/plugins.js";

describe("a syntax error in a plugin", () => {
  test("is reported with file, line, column and the offending line", async () => {
    const ws = createWorkspace();
    const dir = writePlugin(join(ws.userDir, "typo"), {
      id: "typo",
      code: 'import { greet } from "./lib/greet.js";\nexport default { setup(ctx) { greet(ctx); } };\n',
      files: { "lib/greet.js": 'export function greet(ctx) {\n  ctx.log.info("hello", { id: ctx.id };\n}\n' },
    });
    const file = join(realpathSync(dir), "lib", "greet.js");
    const message = 'plugin "typo" has a syntax error at lib/greet.js:2:38: missing ) after argument list, in: ctx.log.info("hello", { id: ctx.id };';

    const kernel = startKernel(ws);
    await kernel.ready();
    const failed = kernel.seen("plugin.failed", (p) => (p as { id: string }).id === "typo");
    expect(failed.payload).toEqual({ id: "typo", code: "ALEPH_E_IMPORT", message: `${message}. Fix: correct the code at lib/greet.js:2:38`, file });

    expect(await runCliJson(ws, ["plugins", "inspect", "typo", "--json"])).toMatchObject({ status: "failed", error: { code: "ALEPH_E_IMPORT", message, file, line: 2 } });
    const inspect = await runCli(ws, ["plugins", "inspect", "typo"]);
    expect(inspect.stdout).toContain(`ALEPH_E_IMPORT: ${message}`);
    expect(inspect.stdout).toMatch(new RegExp(`file\\s+${file.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}:2\\n`));
    await kernel.stop();
  });
});
