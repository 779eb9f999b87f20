/*
 * The [[commands]] of aleph_plugin.toml are what the CLI parses and helps with, without plugin
 * code: every declared command must have its handler in the definition (and no handler may be
 * undeclared), the --preset choices must be the presets the plugin knows, and the doctor checks
 * the manifest announces must exist.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import plugin from "../src/index.js";
import { agentsConfig } from "../src/config.js";

/*
 * A plugin reads no TOML (the kernel does, and plugins import only the SDK): the manifest is read
 * here by its lines, which is enough for the keys this file writes one per line.
 */
const text = readFileSync(fileURLToPath(new URL("../aleph_plugin.toml", import.meta.url)), "utf8");
const sections = text.split(/^\[\[commands\]\]$/m);
const commands = sections.slice(1).map((section) => ({ name: /^name = "(.*)"$/m.exec(section)![1]!, body: section }));
const command = (name: string) => commands.find((c) => c.name === name)!.body;

describe("workspace plugin commands", () => {
  it("has a handler for every declared command, and declares every handler", () => {
    expect(Object.keys(plugin.commands ?? {}).sort()).toEqual(commands.map((c) => c.name).sort());
    expect(Object.keys(plugin.commands ?? {}).sort()).toEqual(["agents add", "agents context", "agents list", "agents remove", "identity show"]);
  });

  it("takes one required agent id where the old CLI did, and offers exactly the presets the config accepts", () => {
    for (const name of ["agents add", "agents remove", "agents context"]) expect(command(name), name).toMatch(/^args = \[\{ name = "id", summary = "[^"]+", required = true \}\]$/m);
    const presets = JSON.parse(/choices = (\[[^\]]*\])/.exec(command("agents add"))![1]!) as string[];
    expect(presets).toEqual(["default", "openboa"]);
    for (const preset of presets) expect(agentsConfig.safeParse([{ id: "x", preset }]).success, preset).toBe(true);
    expect(agentsConfig.safeParse([{ id: "x", preset: "other" }]).success).toBe(false);
  });

  it("announces doctor checks and implements them", () => {
    expect(sections[0]).toMatch(/^doctor = true\b/m);
    expect(typeof plugin.doctor).toBe("function");
  });
});
