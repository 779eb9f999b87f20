// asc resolves `import … from "@aleph/wasm-pdk"` to this file (the package root's index.ts, as for @extism/as-pdk).
export * from "./assembly/index";
