import { mkdirSync, mkdtempSync, realpathSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { excerptOf, locateSyntaxError, locateTransformError, parseArrowMessage } from "./syntax-location.js";

function pluginDir(files: Record<string, string>): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "aleph-syntax-")));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

/** What Node's import() throws for an ES module that does not compile: the message, no location. */
const moduleSyntaxError = (message: string) => new SyntaxError(message);

describe("parseArrowMessage", () => {
  it("reads file, line, column and source from a CommonJS syntax error's stack", () => {
    const stack = "/p/lib/a.cjs:2\n  setup(ctx) { return (1 + ; }\n                           ^\n\nSyntaxError: Unexpected token ';'\n    at wrapSafe (node:internal/modules/cjs/loader:1464:18)";
    expect(parseArrowMessage(stack)).toEqual({ file: "/p/lib/a.cjs", line: 2, column: 28, source: "  setup(ctx) { return (1 + ; }" });
  });

  it("turns a file URL into a path and drops its query", () => {
    expect(parseArrowMessage("file:///p/index.js?aleph_gen=2:7\nlet x = ;\n        ^\n")).toMatchObject({ file: "/p/index.js", line: 7, column: 9 });
  });

  it("finds nothing in a stack without an arrow", () => {
    expect(parseArrowMessage("SyntaxError: missing ) after argument list\n    at compileSourceTextModule (node:internal/modules/esm/utils:346:16)")).toBeUndefined();
  });
});

describe("locateSyntaxError", () => {
  it("finds the line and column of a module syntax error in the entry", async () => {
    const dir = pluginDir({ "index.js": 'export default {\n  setup(ctx) {\n    console.log("a", ctx.id;\n  },\n};\n' });
    const where = await locateSyntaxError(moduleSyntaxError("missing ) after argument list"), join(dir, "index.js"), dir);
    expect(where).toEqual({ file: join(dir, "index.js"), line: 3, column: 26, source: '    console.log("a", ctx.id;' });
  });

  it("finds it in a module the entry imports, even without a package.json saying it is a module", async () => {
    const dir = pluginDir({
      "index.js": 'import { f } from "./lib/util.js";\nimport "./lib/side.mjs";\nexport default { setup() { f(); } };\n',
      "lib/util.js": 'export { g as f } from "./deep/g.js";\n',
      "lib/side.mjs": "export const side = 1;\n",
      "lib/deep/g.js": "export function g() {\n  const x = {\n    a: 1\n    b: 2 };\n}\n",
    });
    const where = await locateSyntaxError(moduleSyntaxError("Unexpected identifier 'b'"), join(dir, "index.js"), dir);
    expect(where).toMatchObject({ file: join(dir, "lib/deep/g.js"), line: 4, column: 5, source: "    b: 2 };" });
  });

  it("reports the file whose error is the one the import failed with, not another broken file", async () => {
    const dir = pluginDir({
      "index.js": 'import "./a.js";\nimport "./b.js";\nexport default {};\n',
      "a.js": "const a = 1;\nconst a = 2;\n",
      "b.js": "let b = ;\n",
    });
    // b.js is the newer file, so it is checked first; its error is not the one reported.
    utimesSync(join(dir, "a.js"), new Date(1_000_000), new Date(1_000_000));
    const where = await locateSyntaxError(moduleSyntaxError("Identifier 'a' has already been declared"), join(dir, "index.js"), dir);
    expect(where).toMatchObject({ file: join(dir, "a.js"), line: 2, column: 7 });
  });

  it("leaves alone what is not a syntax error, and files outside the plugin", async () => {
    const outside = pluginDir({ "broken.js": "let x = ;\n" });
    const dir = pluginDir({ "index.js": `import "${join(outside, "broken.js")}";\nimport "../${outside.split("/").pop()}/broken.js";\nexport default {};\n` });
    expect(await locateSyntaxError(new Error("Unexpected token ';'"), join(dir, "index.js"), dir)).toBeUndefined();
    expect(await locateSyntaxError(moduleSyntaxError("Unexpected token ';'"), join(dir, "index.js"), dir)).toBeUndefined();
  });
});

describe("excerptOf", () => {
  it("quotes a short line without its indentation, and a long one around the column", () => {
    expect(excerptOf({ file: "f", line: 1, column: 5, source: "    b: 2 };" })).toBe("b: 2 };");
    const long = "x".repeat(200) + "BROKEN" + "y".repeat(200);
    const excerpt = excerptOf({ file: "f", line: 1, column: 201, source: long });
    expect(excerpt).toContain("BROKEN");
    expect(excerpt.length).toBeLessThanOrEqual(86);
  });
});

describe("locateTransformError", () => {
  /** What tsx's import of a TypeScript module that does not compile rejects with, as it arrives from the loader thread. */
  const transformError = (message: string) => Object.assign(new Error(message), { name: "TransformError" });

  it("reads file, line and (0-based) column from esbuild's message, and the line from the file", () => {
    const dir = pluginDir({ "src/greet.ts": "export function greet(name: string) {\n  return name +;\n}\n" });
    const file = join(dir, "src/greet.ts");
    expect(locateTransformError(transformError(`Transform failed with 1 error:\n${file}:2:15: ERROR: Unexpected ";"`))).toEqual({
      file,
      line: 2,
      column: 16,
      source: "  return name +;",
      message: 'Unexpected ";"',
    });
  });

  it("leaves other errors alone", () => {
    expect(locateTransformError(new SyntaxError("/p/a.ts:1:2: ERROR: x"))).toBeUndefined();
    expect(locateTransformError(transformError("Transform failed"))).toBeUndefined();
  });
});
