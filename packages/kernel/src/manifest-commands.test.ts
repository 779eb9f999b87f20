import { describe, expect, it } from "vitest";
import { parseManifest } from "./manifest.js";

const HEAD = `[plugin]\nid = "greeter"\nversion = "1.0.0"\n`;
const parse = (text: string, head = HEAD) => parseManifest(head + text, "/p/aleph_plugin.toml", "/p");
const problem = (text: string, head?: string) => {
  const result = parse(text, head);
  if (result.ok) throw new Error("expected the manifest to be refused");
  expect(result.error.code).toBe("ALEPH_E_MANIFEST");
  return result.error.message;
};

describe("[[commands]] in a manifest", () => {
  it("reads a declaration with its defaults filled in", () => {
    const result = parse(`daemon = true\ndoctor = true\n\n[[commands]]\nname = "hello greet"\nsummary = "Greet"\nargs = [{ name = "who", required = true }]\noptions = [{ name = "times", type = "integer", min = 1, max = 3, default = 1 }, { name = "loud" , type = "boolean", short = "l" }]\nservices = ["greeter"]\n`, HEAD);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.manifest.daemon).toBe(true);
    expect(result.manifest.doctor).toBe(true);
    expect(result.manifest.commands).toEqual([
      {
        name: "hello greet",
        summary: "Greet",
        args: [{ name: "who", required: true, variadic: false }],
        options: [
          { name: "times", type: "integer", required: false, min: 1, max: 3, default: 1 },
          { name: "loud", type: "boolean", required: false, short: "l" },
        ],
        services: ["greeter"],
        allPlugins: false,
      },
    ]);
  });

  it("refuses what a valid shape can still get wrong, naming the command and key", () => {
    const command = (extra: string, name = "hello greet") => `\n[[commands]]\nname = "${name}"\nsummary = "s"\n${extra}\n`;
    expect(problem(command("") + command(""))).toMatch(/commands\[1\] \("hello greet"\): is declared twice/);
    expect(problem(command('args = [{ name = "a" }, { name = "b", required = true }]'))).toMatch(/commands\[0\]\.args\[1\].*a required argument cannot follow an optional one/);
    expect(problem(command('args = [{ name = "a", variadic = true }, { name = "b" }]'))).toMatch(/only the last argument may be variadic/);
    expect(problem(command('options = [{ name = "n", type = "integer", min = 1, max = 3, default = 9 }]'))).toMatch(/options\[0\] \("hello greet"\)\.default: is above max 3/);
    expect(problem(command('options = [{ name = "n", type = "integer", default = 1.5 }]'))).toMatch(/is not an integer/);
    expect(problem(command('options = [{ name = "mode", choices = ["a"], default = "b" }]'))).toMatch(/is not one of its choices \(a\)/);
    expect(problem(command('options = [{ name = "help", type = "boolean" }]'))).toMatch(/--help is every command's own/);
    expect(problem(command('options = [{ name = "x", type = "boolean", short = "h" }]'))).toMatch(/-h is --help's short flag/);
    expect(problem(command('options = [{ name = "x", type = "boolean", min = 1 }]'))).toMatch(/min and max apply to integer and number options/);
    expect(problem(command("", "Hello"))).toMatch(/is not a command: one to four lowercase words/);
    expect(problem(command("", "a  b"))).toMatch(/is not a command/);
    expect(problem(command('options = [{ name = "x", typo = 1 }]'))).toMatch(/typo/);
    expect(problem(command(""), `[plugin]\nid = "w"\nversion = "1.0.0"\nkind = "wasm"\n`)).toMatch(/a wasm plugin offers tools instead/);
  });

  it("keeps config_schema inside the plugin directory", () => {
    expect(problem("", `[plugin]\nid = "w"\nversion = "1.0.0"\nconfig_schema = "../elsewhere.json"\n`)).toMatch(/plugin\.config_schema: "\.\.\/elsewhere\.json" is outside the plugin directory/);
  });
});
