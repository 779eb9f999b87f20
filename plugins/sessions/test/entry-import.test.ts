/*
 * `aleph sessions …` imports this plugin's entry to find a command's handler, also when the
 * command runs against a running kernel and never opens sessions.db: importing the entry must not
 * load the SQLite driver (it is required when the database is opened).
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { expect, it } from "vitest";
import { pluginDir } from "./helpers.js";

it("importing the built entry loads no better-sqlite3 module", () => {
  const probe = `
    import { createRequire } from "node:module";
    const plugin = (await import(${JSON.stringify(join(pluginDir, "dist", "index.js"))})).default;
    const loaded = Object.keys(createRequire(import.meta.url).cache).filter((file) => file.includes("better-sqlite3"));
    console.log(JSON.stringify({ commands: Object.keys(plugin.commands), loaded }));
  `;
  const result = JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", probe], { cwd: pluginDir, encoding: "utf8" })) as { commands: string[]; loaded: string[] };
  expect(result.commands).toContain("sessions show");
  expect(result.loaded).toEqual([]);
});
