import { describe, expect, it } from "vitest";
import { editDisabled } from "./disabled-list.js";

const FILE = "/r/config.toml";

describe("editing [extensions] disabled", () => {
  it("rewrites the one key and leaves every other byte alone", () => {
    const text = '# mine\n[gateway]\nport = 1\n\n[extensions]\nhot_reload = false  # keep\ndisabled = ["a"] # why\n\n[memory]\nmax_facts = 5\n';
    expect(editDisabled(text, FILE, "b", "disable")).toBe('# mine\n[gateway]\nport = 1\n\n[extensions]\nhot_reload = false  # keep\ndisabled = ["a", "b"] # why\n\n[memory]\nmax_facts = 5\n');
    expect(editDisabled(text, FILE, "a", "enable")).toBe('# mine\n[gateway]\nport = 1\n\n[extensions]\nhot_reload = false  # keep\ndisabled = [] # why\n\n[memory]\nmax_facts = 5\n');
  });

  it("rewrites a list written over several lines", () => {
    const text = '[extensions]\ndisabled = [\n  "a",\n  "b",\n]\nhot_reload = true\n';
    expect(editDisabled(text, FILE, "a", "enable")).toBe('[extensions]\ndisabled = ["b"]\nhot_reload = true\n');
  });

  it("adds the key under an [extensions] table that lacks it, or appends the table", () => {
    expect(editDisabled("[extensions]\nhot_reload = true\n", FILE, "x", "disable")).toBe('[extensions]\ndisabled = ["x"]\nhot_reload = true\n');
    expect(editDisabled("[gateway]\nport = 1", FILE, "x", "disable")).toBe('[gateway]\nport = 1\n\n[extensions]\ndisabled = ["x"]\n');
    expect(editDisabled("", FILE, "x", "disable")).toBe('\n[extensions]\ndisabled = ["x"]\n');
  });

  it("answers undefined when the list already says so", () => {
    expect(editDisabled('[extensions]\ndisabled = ["a"]\n', FILE, "a", "disable")).toBeUndefined();
    expect(editDisabled("", FILE, "a", "enable")).toBeUndefined();
  });

  it("refuses a file that is not valid TOML, saying which file and how to go on", () => {
    expect(() => editDisabled("[extensions\n", FILE, "a", "disable")).toThrow(/\/r\/config.toml is not valid TOML/);
  });

  it("refuses a form it cannot rewrite (a dotted key) instead of writing something wrong", () => {
    expect(() => editDisabled('extensions.disabled = ["a"]\n', FILE, "b", "disable")).toThrow(/edit the file by hand|could not edit/);
    expect(() => editDisabled('[extensions]\ndisabled = "a"\n', FILE, "b", "disable")).toThrow(/not a list of plugin ids/);
  });
});
