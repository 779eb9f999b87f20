import { describe, expect, it } from "vitest";
import { parseManifest } from "./manifest.js";

const dir = "/plugins/p";
const file = `${dir}/aleph_plugin.toml`;
const head = `[plugin]\nid = "p"\nversion = "1.0.0"\n`;
const parse = (contributes: string) => parseManifest(`${head}[contributes]\n${contributes}\n`, file, dir);
function problem(contributes: string): string {
  const result = parse(contributes);
  if (result.ok) throw new Error("expected the manifest to be rejected");
  expect(result.error.code).toBe("ALEPH_E_MANIFEST");
  return result.error.message;
}

describe("parseManifest [contributes]", () => {
  it("reads named lists of paths inside the plugin directory, each value once", () => {
    const result = parse(`skills = ["skills/", "extra/skills", "skills/"]\nprotocols = ["protocols"]\nnothing = []`);
    expect(result.ok && result.manifest.contributes).toEqual({ skills: ["skills/", "extra/skills"], protocols: ["protocols"], nothing: [] });
  });

  it("is an empty table when the manifest has none", () => {
    const result = parseManifest(head, file, dir);
    expect(result.ok && result.manifest.contributes).toEqual({});
  });

  it("refuses a path that leaves the plugin directory, naming the key", () => {
    expect(problem(`skills = ["../other/skills"]`)).toMatch(/contributes\.skills: "\.\.\/other\/skills" is outside the plugin directory/);
    expect(problem(`skills = ["/etc"]`)).toMatch(/contributes\.skills: "\/etc" is outside the plugin directory/);
  });

  it("refuses a name that is not a lowercase word, and a value that is not a path string", () => {
    expect(problem(`Skills = ["skills"]`)).toMatch(/is not a contribution name: use a lowercase word/);
    expect(problem(`skills = "skills"`)).toMatch(/contributes\.skills/);
    expect(problem(`skills = [""]`)).toMatch(/is empty: give a path relative to the plugin directory/);
  });

  it("is data for node and wasm plugins alike", () => {
    const result = parseManifest(`${head}kind = "wasm"\n[contributes]\nskills = ["skills"]\n`, file, dir);
    expect(result.ok && result.manifest.contributes).toEqual({ skills: ["skills"] });
  });
});
