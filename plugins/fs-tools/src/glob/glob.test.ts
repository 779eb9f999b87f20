import { describe, expect, it } from "vitest";
import { compileGlob, expandBraces, globMatch } from "./glob.js";

describe("globMatch", () => {
  it.each([
    ["*.ts", "a.ts", true],
    ["*.ts", "dir/a.ts", false],
    ["*.ts", ".hidden.ts", true],
    ["src/*.ts", "src/a.ts", true],
    ["src/*.ts", "src/x/a.ts", false],
    ["**/*.ts", "a.ts", true],
    ["**/*.ts", "x/y/z/a.ts", true],
    ["**/*.ts", "a.tsx", false],
    ["src/**/*.ts", "src/a.ts", true],
    ["src/**/*.ts", "src/x/y/a.ts", true],
    ["src/**/*.ts", "lib/a.ts", false],
    ["a/**/b", "a/b", true],
    ["a/**/b", "a/x/y/b", true],
    ["a/**/b", "a/xb", false],
    ["a/**", "a/x", true],
    ["a/**", "a/x/y", true],
    ["a/**", "a", false],
    ["**", "anything/at/all", true],
    ["?.md", "a.md", true],
    ["?.md", "ab.md", false],
    ["?", "/", false],
    ["file[0-9].txt", "file7.txt", true],
    ["file[0-9].txt", "filex.txt", false],
    ["[abc].js", "b.js", true],
    ["[!abc].js", "b.js", false],
    ["[!abc].js", "d.js", true],
    ["[^abc].js", "d.js", true],
    ["[]].txt", "].txt", true],
    ["*.{ts,js}", "a.js", true],
    ["*.{ts,js}", "a.ts", true],
    ["*.{ts,js}", "a.md", false],
    ["{src,test}/**/*.ts", "test/x/a.ts", true],
    ["{src,test}/**/*.ts", "lib/a.ts", false],
    ["{a,b{c,d}}.txt", "bd.txt", true],
    ["{a}.txt", "{a}.txt", true],
    ["{a,b.txt", "{a,b.txt", true],
    ["a.b", "axb", false],
    ["a+(b)", "a+(b)", true],
    ["\\*.txt", "*.txt", true],
    ["\\*.txt", "a.txt", false],
    ["[a", "[a", true],
    ["a-b/*.c", "a-b/x.c", true],
    ["naïve*", "naïve-ü.md", true],
    ["?.md", "é.md", true],
  ])("%s against %s is %s", (pattern, path, expected) => {
    expect(globMatch(pattern, path)).toBe(expected);
  });

  it("expands braces left to right, nested ones included", () => {
    expect(expandBraces("{a,b}-{1,2}")).toEqual(["a-1", "a-2", "b-1", "b-2"]);
    expect(expandBraces("x{a,b{c,d}}")).toEqual(["xa", "xbc", "xbd"]);
    expect(expandBraces("[{]a,b}")).toEqual(["[{]a,b}"]);
  });

  it("refuses an empty pattern, a backwards range and a brace explosion", () => {
    expect(() => compileGlob("")).toThrow(/empty/);
    expect(() => compileGlob("[z-a]")).toThrow(expect.objectContaining({ code: "ALEPH_E_TOOL_ARGS" }));
    expect(() => compileGlob("{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}")).toThrow(/more than 256 alternatives/);
  });
});
