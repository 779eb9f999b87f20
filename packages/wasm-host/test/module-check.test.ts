import { readFileSync } from "node:fs";
import type { PluginLoader } from "@aleph/kernel";
import { describe, expect, expectTypeOf, it } from "vitest";
import { createWasmLoader } from "../src/index.js";
import { capMemory, checkHeader } from "../src/module-check.js";
import { wat2wasm } from "./wat.js";

const memoryOf = (bytes: Uint8Array) => {
  const module = new WebAssembly.Module(bytes);
  const instance = new WebAssembly.Instance(module, {});
  return instance.exports as unknown as { memory: { buffer: ArrayBuffer; grow(pages: number): number } };
};

describe("capMemory", () => {
  it("adds a maximum to a memory without one, and lowers a larger maximum", async () => {
    for (const decl of ["2", "2 1000"]) {
      const bytes = capMemory(await wat2wasm(`(module (memory (export "memory") ${decl}))`), 16).bytes;
      const { memory } = memoryOf(bytes);
      expect(memory.grow(14)).toBe(2);
      expect(() => memory.grow(1)).toThrow(RangeError); // JS-side grow throws; memory.grow in wasm returns -1
      expect(memory.buffer.byteLength).toBe(16 * 65536);
    }
  });

  it("keeps a smaller maximum and leaves a module without memory alone", async () => {
    const small = await wat2wasm(`(module (memory (export "memory") 1 4))`);
    const { memory } = memoryOf(capMemory(small, 16).bytes);
    expect(() => memory.grow(4)).toThrow(RangeError);
    const none = await wat2wasm(`(module (func (export "f")))`);
    expect(capMemory(none, 16).bytes).toBe(none);
  });

  it("reports a module that starts above the cap", async () => {
    const result = capMemory(await wat2wasm(`(module (memory 32))`), 16);
    expect(result.problem).toMatchObject({ kind: "memory", message: expect.stringContaining("needs 32 pages (2.0 MiB)") });
  });
});

describe("checkHeader", () => {
  it("tells text, empty files and components from core modules", async () => {
    expect(checkHeader(new TextEncoder().encode("#!/bin/sh\necho"))?.kind).toBe("not-wasm");
    expect(checkHeader(new Uint8Array())?.message).toBe("is empty");
    expect(checkHeader(new Uint8Array([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0]))?.kind).toBe("component");
    expect(checkHeader(await wat2wasm("(module)"))).toBeNull();
  });
});

describe("the package", () => {
  it("is a kernel PluginLoader and does not import the kernel at run time", () => {
    const loader: PluginLoader = createWasmLoader();
    expectTypeOf(loader).toEqualTypeOf<PluginLoader>();
    const built = readFileSync(new URL("../dist/index.js", import.meta.url), "utf8");
    expect(built).not.toMatch(/@aleph\/kernel/);
    expect(built).not.toMatch(/^import .*@extism\/extism/m); // loaded lazily, with the WASI warning filtered
  });
});
