import { describe, expect, it } from "vitest";
import { touchesLoadedCode, type LoadedFiles } from "./reload-triggers.js";

const loaded: LoadedFiles = {
  dir: "/home/u/.aleph/plugins/word",
  realDir: "/work/word",
  entry: "dist/index.js",
  modules: new Set(["/work/word/dist/index.js", "/work/word/dist/chunk-A.js", "/work/word/vendor/lib.cjs"]),
};
const at = (rel: string) => `${loaded.dir}/${rel}`;

describe("touchesLoadedCode", () => {
  it("counts the manifest, the entry and every module of the graph, named through a link or by real path", () => {
    for (const rel of ["aleph_plugin.toml", "aleph.plugin.toml", "dist/index.js", "dist/chunk-A.js", "vendor/lib.cjs"]) expect(touchesLoadedCode(loaded, at(rel)), rel).toBe(true);
    expect(touchesLoadedCode(loaded, "/work/word/dist/chunk-A.js")).toBe(true);
  });

  it("ignores sources, build inputs and files the plugin never imported", () => {
    for (const rel of ["src/index.ts", "src/greet.ts", "README.md", "package.json", "tsconfig.json", "test/plugin.test.ts", "dist/index.js.map", "dist/unused.js"]) {
      expect(touchesLoadedCode(loaded, at(rel)), rel).toBe(false);
    }
  });

  it("counts the plugin directory itself and a directory holding loaded modules (added, removed, moved)", () => {
    expect(touchesLoadedCode(loaded, loaded.dir)).toBe(true);
    expect(touchesLoadedCode(loaded, at("dist"))).toBe(true);
    expect(touchesLoadedCode(loaded, at("src"))).toBe(false);
  });

  it("counts the entry even when it is not (yet) in the graph, e.g. a WASM module", () => {
    const wasm: LoadedFiles = { dir: "/p/echo", realDir: "/p/echo", entry: "plugin.wasm", modules: new Set() };
    expect(touchesLoadedCode(wasm, "/p/echo/plugin.wasm")).toBe(true);
    expect(touchesLoadedCode(wasm, "/p/echo/assembly/index.ts")).toBe(false);
    expect(touchesLoadedCode(wasm, "/p/echo/build/debug.wasm")).toBe(false);
  });

  it("without a recorded graph, counts any file Node could load as a module, and still no sources, docs or maps", () => {
    const unrecorded = { ...loaded, modules: undefined };
    for (const rel of ["dist/other.js", "lib/x.mjs", "lib/y.cjs", "data.json", "addon.node"]) expect(touchesLoadedCode(unrecorded, at(rel)), rel).toBe(true);
    for (const rel of ["src/index.ts", "README.md", "dist/index.js.map", "test/plugin.test.ts"]) expect(touchesLoadedCode(unrecorded, at(rel)), rel).toBe(false);
  });

  it("without a recorded graph, counts TypeScript files too when the entry is TypeScript (run through tsx), not declarations", () => {
    const ts: LoadedFiles = { dir: "/p/word", realDir: "/p/word", entry: "src/index.ts" };
    for (const rel of ["src/index.ts", "src/greet.ts", "src/lib/x.mts", "src/old.cts", "dist/index.js"]) expect(touchesLoadedCode(ts, `/p/word/${rel}`), rel).toBe(true);
    for (const rel of ["src/types.d.ts", "README.md", "src/index.ts.map"]) expect(touchesLoadedCode(ts, `/p/word/${rel}`), rel).toBe(false);
  });
});
