import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
// The build: plugin code is imported with Node's own import() and loader hooks (and tsx's).
import { isTypeScriptEntry, loadNodePlugin, type NodeCandidate } from "../dist/index.js";

/** A plugin directory on disk, and the candidate the kernel would hand the loader for it. */
function diskPlugin(id: string, entry: string, files: Record<string, string>): { dir: string; candidate: NodeCandidate } {
  const dir = join(mkdtempSync(join(tmpdir(), "aleph-ts-")), id);
  for (const [file, text] of Object.entries({ "aleph_plugin.toml": `[plugin]\nid = "${id}"\nversion = "1.0.0"\nentry = "${entry}"\n`, ...files })) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  const realDir = realpathSync(dir);
  return { dir, candidate: { realDir, manifest: { id, entry }, entryFile: join(realDir, entry) } };
}

/** What a test plugin computed at import time (its definition carries it beside setup). */
async function load(candidate: NodeCandidate, attempt: number) {
  const code = await loadNodePlugin(candidate, attempt, 10_000);
  return { greeting: (code.definition as { greeting?: string }).greeting, files: code.files?.() };
}

/** An entry with type-only syntax everywhere: an interface, annotations, `import type`, a generic. */
const ENTRY = `import type { Greeting } from "./types.ts";
import { greet } from "./greet.ts";

interface Context { id: string }

export default {
  greeting: greet<string>("ts") as Greeting,
  setup(ctx: Context): void {},
};
`;
const TYPES = "export type Greeting = string;\n";
const greetTs = (word: string) => `export function greet<T extends string>(name: T): string {\n  return \`${word} \${name}\`;\n}\n`;
const ESM_PACKAGE = '{ "type": "module" }\n';

describe("isTypeScriptEntry", () => {
  it("takes .ts, .mts and .cts sources, not JavaScript nor declarations", () => {
    for (const file of ["src/index.ts", "src/index.mts", "src/index.cts"]) expect(isTypeScriptEntry(file), file).toBe(true);
    for (const file of ["dist/index.js", "index.mjs", "index.cjs", "types/index.d.ts", "plugin.wasm"]) expect(isTypeScriptEntry(file), file).toBe(false);
  });
});

describe("TypeScript entries", () => {
  it("load through tsx, with interfaces, annotations and type-only imports", async () => {
    const { candidate } = diskPlugin("ts-hello", "src/index.ts", { "package.json": ESM_PACKAGE, "src/index.ts": ENTRY, "src/types.ts": TYPES, "src/greet.ts": greetTs("hello") });
    expect((await load(candidate, 1)).greeting).toBe("hello ts");
  });

  it("reload with fresh code of the modules the entry imports, and record the files each generation imported", async () => {
    const { dir, candidate } = diskPlugin("ts-fresh", "src/index.ts", { "package.json": ESM_PACKAGE, "src/index.ts": ENTRY, "src/types.ts": TYPES, "src/greet.ts": greetTs("one"), "README.md": "# ts-fresh\n" });
    // A first import is a plain one: no graph recorded (the host then falls back to file names).
    expect(await load(candidate, 1)).toEqual({ greeting: "one ts", files: undefined });
    writeFileSync(join(dir, "src/greet.ts"), greetTs("two"));
    const second = await load(candidate, 2);
    expect(second.greeting).toBe("two ts");
    // The graph holds the modules that run: the entry and greet.ts, not the type-only module nor the README.
    const real = realpathSync(dir);
    expect([...second.files!].sort()).toEqual([join(real, "src/greet.ts"), join(real, "src/index.ts")]);
    writeFileSync(join(dir, "src/greet.ts"), greetTs("three"));
    expect((await load(candidate, 3)).greeting).toBe("three ts");
  });

  it("load and reload as .mts, as CommonJS TypeScript (.cts, or .ts without \"type\": \"module\"), and with ./x.js specifiers for x.ts", async () => {
    const entry = 'export default { greeting: word as string, setup(ctx: any) {} };\n';
    const mts = diskPlugin("ts-mts", "index.mts", { "index.mts": `import { word } from "./word.mts";\n${entry}`, "word.mts": 'export const word: string = "mts-1";\n' });
    const cts = diskPlugin("ts-cts", "src/index.ts", { "src/index.ts": `import { word } from "./word";\n${entry}`, "src/word.ts": 'export const word: string = "cjs-1";\n' });
    const jsSpecifier = diskPlugin("ts-js-specifier", "src/index.ts", {
      "package.json": ESM_PACKAGE,
      "src/index.ts": `import { word } from "./word.js";\n${entry}`,
      "src/word.ts": 'export const word: string = "spec-1";\n',
    });
    expect((await load(mts.candidate, 1)).greeting).toBe("mts-1");
    expect((await load(cts.candidate, 1)).greeting).toBe("cjs-1");
    expect((await load(jsSpecifier.candidate, 1)).greeting).toBe("spec-1");
    writeFileSync(join(mts.dir, "word.mts"), 'export const word: string = "mts-2";\n');
    writeFileSync(join(cts.dir, "src/word.ts"), 'export const word: string = "cjs-2";\n');
    writeFileSync(join(jsSpecifier.dir, "src/word.ts"), 'export const word: string = "spec-2";\n');
    expect((await load(mts.candidate, 2)).greeting).toBe("mts-2");
    expect((await load(cts.candidate, 2)).greeting).toBe("cjs-2");
    expect((await load(jsSpecifier.candidate, 2)).greeting).toBe("spec-2");
  });

  it("that do not compile fail with ALEPH_E_IMPORT naming the file, line and column of the module esbuild stopped at", async () => {
    const { dir, candidate } = diskPlugin("ts-typo", "src/index.ts", {
      "package.json": ESM_PACKAGE,
      "src/index.ts": ENTRY,
      "src/types.ts": TYPES,
      "src/greet.ts": "export function greet(name: string): string {\n  return `hi ${name}` +;\n}\n",
    });
    const real = realpathSync(dir);
    await expect(loadNodePlugin(candidate, 1, 10_000)).rejects.toMatchObject({
      code: "ALEPH_E_IMPORT",
      message: 'plugin "ts-typo" has a syntax error at src/greet.ts:2:24: Unexpected ";", in: return `hi ${name}` +;',
      file: join(real, "src", "greet.ts"),
      line: 2,
      fix: "correct the code at src/greet.ts:2:24",
    });
  });
});

describe("tsx", () => {
  /**
   * Runs a kernel in a child Node with a loader hook that writes down every module URL loaded
   * (main thread and loader thread alike), and returns the ones of tsx or esbuild.
   */
  function tsxModulesLoaded(entry: string, files: Record<string, string>): string[] {
    const { candidate } = diskPlugin("probe", entry, files);
    const work = mkdtempSync(join(tmpdir(), "aleph-ts-probe-"));
    const record = join(work, "loaded.txt");
    writeFileSync(record, "");
    writeFileSync(join(work, "recorder.mjs"), `import { appendFileSync } from "node:fs";\nexport async function load(url, context, next) { appendFileSync(${JSON.stringify(record)}, url + "\\n"); return next(url, context); }\n`);
    writeFileSync(join(work, "register.mjs"), `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(join(work, "recorder.mjs")).href)});\n`);
    const loaderUrl = new URL("../dist/index.js", import.meta.url).href;
    // A first import, then a reload (a fresh graph through the loader hooks).
    const script = `
      const { loadNodePlugin } = await import(${JSON.stringify(loaderUrl)});
      const candidate = ${JSON.stringify(candidate)};
      await loadNodePlugin(candidate, 1, 10000);
      await loadNodePlugin(candidate, 2, 10000);
    `;
    const run = spawnSync(process.execPath, ["--import", pathToFileURL(join(work, "register.mjs")).href, "--input-type=module", "-e", script], { encoding: "utf8", cwd: work });
    expect(run.stderr).not.toMatch(/Error/);
    expect(run.status).toBe(0);
    const loaded = readFileSync(record, "utf8").split("\n").filter(Boolean);
    expect(loaded).toContain(loaderUrl); // the recorder saw the loader load: it sees everything
    return loaded.filter((url) => /\/(tsx|esbuild)(@[^/]+)?\//.test(fileURLToPath(url.startsWith("file:") ? url.replace(/[?#].*$/, "") : "file:///x")));
  }

  it("is never loaded for plugins with JavaScript entries, even across a reload", () => {
    expect(tsxModulesLoaded("index.js", { "index.js": "export default { setup() {} };\n" })).toEqual([]);
  });

  it("is loaded once a TypeScript entry is imported (the check above can see it)", () => {
    const loaded = tsxModulesLoaded("index.mts", { "index.mts": "export default { setup(ctx: unknown): void {} };\n" });
    expect(loaded.some((url) => url.includes("/tsx"))).toBe(true);
  });
});
