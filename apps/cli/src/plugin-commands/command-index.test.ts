import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resolvePaths } from "@aleph/kernel/light";
import { describeConflict, readCommandIndex, unreadableOwner } from "./command-index.js";

function plugin(dir: string, id: string, commands: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "aleph_plugin.toml"), `[plugin]\nid = "${id}"\nversion = "1.0.0"\n\n${commands}`);
  return dir;
}

const command = (name: string, extra = "") => `[[commands]]\nname = "${name}"\nsummary = "does ${name}"\n${extra}\n`;

describe("readCommandIndex", () => {
  it("reads declarations, lets the stronger source win a name and reports both", () => {
    const root = mkdtempSync(join(tmpdir(), "aleph-index-"));
    const paths = resolvePaths({ env: { ALEPH_STATE_DIR: join(root, "state") }, cwd: root });
    const bundled = plugin(join(root, "bundled", "greeter"), "greeter", command("hello greet") + command("hello wave", 'options = [{ name = "limit", type = "integer", min = 1 }]'));
    plugin(join(paths.userPluginsDir, "rival"), "rival", command("hello greet"));
    const index = readCommandIndex(paths, [bundled]);
    expect(index.commands.map((c) => [c.declaration.name, c.pluginId])).toEqual([["hello greet", "rival"], ["hello wave", "greeter"]]);
    const wave = index.commands.find((c) => c.declaration.name === "hello wave");
    expect(wave?.declaration.options).toEqual([{ name: "limit", type: "integer", required: false, min: 1 }]);
    expect(index.conflicts).toHaveLength(1);
    const text = describeConflict(index.conflicts[0]!);
    expect(text).toMatch(/^ALEPH_E_COMMAND_CONFLICT: "hello greet" is declared by plugin "rival" \(user, .*\) and by plugin "greeter" \(bundled, .*\); "rival" wins \(higher-precedence source\)/);
  });

  it("ignores a declaration of a kernel command word, reporting it", () => {
    const root = mkdtempSync(join(tmpdir(), "aleph-index-"));
    const paths = resolvePaths({ env: { ALEPH_STATE_DIR: join(root, "state") }, cwd: root });
    const bundled = plugin(join(root, "b", "bad"), "bad", command("status now") + command("bad ok"));
    const index = readCommandIndex(paths, [bundled]);
    expect(index.commands.map((c) => c.declaration.name)).toEqual(["bad ok"]);
    expect(describeConflict(index.conflicts[0]!)).toMatch(/declares "status now", but "status" is a kernel command word; the declaration is ignored/);
  });

  it("marks the commands of a disabled plugin, and of third-party plugins when extensions are off", () => {
    const root = mkdtempSync(join(tmpdir(), "aleph-index-"));
    const paths = resolvePaths({ env: { ALEPH_STATE_DIR: join(root, "state") }, cwd: root });
    const bundled = plugin(join(root, "b", "one"), "one", command("one go"));
    plugin(join(paths.userPluginsDir, "two"), "two", command("two go"));
    writeFileSync(paths.configFile, '[extensions]\nenabled = false\ndisabled = ["one"]\n');
    const index = readCommandIndex(paths, [bundled]);
    expect(index.commands.find((c) => c.pluginId === "one")?.disabledBy).toMatch(/disabled in .*config\.toml \(\[extensions\] disabled\)/);
    expect(index.commands.find((c) => c.pluginId === "two")?.disabledBy).toMatch(/third-party plugins are off/);
  });

  it("lists a manifest that is not TOML as unreadable (found by its folder or its text), and skips an entry without a name", () => {
    const root = mkdtempSync(join(tmpdir(), "aleph-index-"));
    const paths = resolvePaths({ env: { ALEPH_STATE_DIR: join(root, "state") }, cwd: root });
    const broken = join(root, "b", "broken");
    mkdirSync(broken, { recursive: true });
    writeFileSync(join(broken, "aleph_plugin.toml"), '[plugin\nid = "broken"\n\n[[commands]]\nname = "mend all"\n');
    const half = plugin(join(root, "b", "half"), "half", '[[commands]]\nsummary = "no name"\n' + command("half ok"));
    const index = readCommandIndex(paths, [broken, half]);
    expect(index.commands.map((c) => c.declaration.name)).toEqual(["half ok"]);
    expect(index.unreadable).toEqual([expect.objectContaining({ dir: broken, manifestFile: join(broken, "aleph_plugin.toml"), error: expect.any(String) })]);
    expect(unreadableOwner(index, ["broken", "x"])?.dir).toBe(broken);
    expect(unreadableOwner(index, ["mend", "all"])?.dir).toBe(broken);
    expect(unreadableOwner(index, ["men"])).toBeUndefined();
    expect(unreadableOwner(index, ["half"])).toBeUndefined();
  });

  it("gives a command to a plugin that loads over a stronger one that is disabled", () => {
    const root = mkdtempSync(join(tmpdir(), "aleph-index-"));
    const paths = resolvePaths({ env: { ALEPH_STATE_DIR: join(root, "state") }, cwd: root });
    const bundled = plugin(join(root, "b", "builtin"), "builtin", command("tidy up"));
    plugin(join(paths.userPluginsDir, "mine"), "mine", command("tidy up"));
    writeFileSync(paths.configFile, '[extensions]\ndisabled = ["mine"]\n');
    const index = readCommandIndex(paths, [bundled]);
    expect(index.commands.map((c) => [c.declaration.name, c.pluginId, c.disabledBy])).toEqual([["tidy up", "builtin", undefined]]);
    expect(index.conflicts.map((c) => [c.winner.pluginId, c.loser.pluginId])).toEqual([["builtin", "mine"]]);
    expect(describeConflict(index.conflicts[0]!)).toMatch(/"builtin" wins \("mine" does not load\)/);
  });
});
