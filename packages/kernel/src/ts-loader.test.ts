import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
// The built kernel: plugin code is imported with Node's own import() and loader hooks (and tsx's).
import { createKernel, type Kernel } from "../dist/index.js";
import { isTypeScriptEntry } from "./ts-loader.js";

const kernels: Kernel[] = [];
afterEach(async () => {
  for (const k of kernels.splice(0)) await k.stop();
});

async function boot() {
  const root = mkdtempSync(join(tmpdir(), "aleph-ts-"));
  const userDir = join(root, "plugins");
  mkdirSync(userDir);
  const kernel = createKernel({ env: { ALEPH_STATE_DIR: root }, cwd: root, bundled: [], searchPaths: [{ source: "user", dir: userDir }], watch: false, lock: false, logToFiles: false });
  const events: { event: string; payload: any }[] = [];
  kernel.bus.onAny((event, payload) => void events.push({ event, payload }));
  kernels.push(kernel);
  await kernel.start();
  const status = (id: string) => kernel.host.list().find((p) => p.id === id);
  return { kernel, userDir, events, status };
}

function diskPlugin(userDir: string, id: string, entry: string, files: Record<string, string>): string {
  const dir = join(userDir, id);
  for (const [file, text] of Object.entries({ "aleph_plugin.toml": `[plugin]\nid = "${id}"\nversion = "1.0.0"\nentry = "${entry}"\n`, ...files })) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

/** An entry with type-only syntax everywhere: an interface, annotations, `import type`, a generic. */
const ENTRY = `import type { Greeting } from "./types.ts";
import { greet } from "./greet.ts";

interface Context { id: string; generation: number; events: { emit(name: string, payload: unknown): Promise<void> } }

export default {
  async setup(ctx: Context): Promise<void> {
    const greeting: Greeting = greet<string>(ctx.id);
    await ctx.events.emit("ts.greeted", { greeting, gen: ctx.generation });
  },
};
`;
const TYPES = "export type Greeting = string;\n";
const greetTs = (word: string) => `export function greet<T extends string>(name: T): string {\n  return \`${word} \${name}\`;\n}\n`;
const ESM_PACKAGE = '{ "type": "module" }\n';

const greeted = (events: { event: string; payload: any }[]) => events.filter((e) => e.event === "ts.greeted").map((e) => e.payload);

describe("isTypeScriptEntry", () => {
  it("takes .ts, .mts and .cts sources, not JavaScript nor declarations", () => {
    for (const file of ["src/index.ts", "src/index.mts", "src/index.cts"]) expect(isTypeScriptEntry(file), file).toBe(true);
    for (const file of ["dist/index.js", "index.mjs", "index.cjs", "types/index.d.ts", "plugin.wasm"]) expect(isTypeScriptEntry(file), file).toBe(false);
  });
});

describe("TypeScript entries", () => {
  it("load through tsx, with interfaces, annotations and type-only imports", async () => {
    const { kernel, userDir, events, status } = await boot();
    const dir = diskPlugin(userDir, "ts-hello", "src/index.ts", { "package.json": ESM_PACKAGE, "src/index.ts": ENTRY, "src/types.ts": TYPES, "src/greet.ts": greetTs("hello") });
    await kernel.host.refresh([dir]);
    expect(status("ts-hello")?.error).toBeUndefined();
    expect(status("ts-hello")).toMatchObject({ status: "active", generation: 1 });
    expect(greeted(events)).toEqual([{ greeting: "hello ts-hello", gen: 1 }]);
  });

  it("reload with fresh code of the modules the entry imports, and a save of one of them triggers the reload", async () => {
    const { kernel, userDir, events, status } = await boot();
    const dir = diskPlugin(userDir, "ts-fresh", "src/index.ts", { "package.json": ESM_PACKAGE, "src/index.ts": ENTRY, "src/types.ts": TYPES, "src/greet.ts": greetTs("one"), "README.md": "# ts-fresh\n" });
    await kernel.host.refresh([dir]);
    // Before the first reload no graph is recorded: a .ts file counts, since the entry is one.
    writeFileSync(join(dir, "src/greet.ts"), greetTs("two"));
    await kernel.host.filesChanged(dir, [join(dir, "src/greet.ts")]);
    expect(status("ts-fresh")).toMatchObject({ status: "active", generation: 2 });
    // From then on the recorded graph decides: greet.ts is in it; README and the type-only module are not.
    writeFileSync(join(dir, "src/greet.ts"), greetTs("three"));
    await kernel.host.filesChanged(dir, [join(dir, "README.md"), join(dir, "src/types.ts")]);
    expect(status("ts-fresh")).toMatchObject({ status: "active", generation: 2 });
    await kernel.host.filesChanged(dir, [join(dir, "src/greet.ts")]);
    expect(status("ts-fresh")).toMatchObject({ status: "active", generation: 3 });
    expect(greeted(events)).toEqual([
      { greeting: "one ts-fresh", gen: 1 },
      { greeting: "two ts-fresh", gen: 2 },
      { greeting: "three ts-fresh", gen: 3 },
    ]);
  });

  it("load and reload as .mts, as CommonJS TypeScript (.cts, or .ts without \"type\": \"module\"), and with ./x.js specifiers for x.ts", async () => {
    const { kernel, userDir, events, status } = await boot();
    const mts = diskPlugin(userDir, "ts-mts", "index.mts", {
      "index.mts": 'import { word } from "./word.mts";\nexport default { async setup(ctx: any) { await ctx.events.emit("ts.greeted", { greeting: word as string, gen: ctx.generation }); } };\n',
      "word.mts": 'export const word: string = "mts-1";\n',
    });
    const cts = diskPlugin(userDir, "ts-cts", "src/index.ts", {
      "src/index.ts": 'import { word } from "./word";\nexport default { async setup(ctx: any) { await ctx.events.emit("ts.greeted", { greeting: word as string, gen: ctx.generation }); } };\n',
      "src/word.ts": 'export const word: string = "cjs-1";\n',
    });
    const jsSpecifier = diskPlugin(userDir, "ts-js-specifier", "src/index.ts", {
      "package.json": ESM_PACKAGE,
      "src/index.ts": 'import { word } from "./word.js";\nexport default { async setup(ctx: any) { await ctx.events.emit("ts.greeted", { greeting: word as string, gen: ctx.generation }); } };\n',
      "src/word.ts": 'export const word: string = "spec-1";\n',
    });
    await kernel.host.refresh([mts, cts, jsSpecifier]);
    writeFileSync(join(mts, "word.mts"), 'export const word: string = "mts-2";\n');
    writeFileSync(join(cts, "src/word.ts"), 'export const word: string = "cjs-2";\n');
    writeFileSync(join(jsSpecifier, "src/word.ts"), 'export const word: string = "spec-2";\n');
    for (const id of ["ts-mts", "ts-cts", "ts-js-specifier"]) await kernel.host.reload(id);
    expect(status("ts-mts")).toMatchObject({ status: "active", generation: 2 });
    expect(status("ts-cts")).toMatchObject({ status: "active", generation: 2 });
    const byPlugin = (prefix: string) => greeted(events).filter((p) => p.greeting.startsWith(prefix));
    expect(byPlugin("mts")).toEqual([
      { greeting: "mts-1", gen: 1 },
      { greeting: "mts-2", gen: 2 },
    ]);
    expect(byPlugin("cjs")).toEqual([
      { greeting: "cjs-1", gen: 1 },
      { greeting: "cjs-2", gen: 2 },
    ]);
    expect(byPlugin("spec")).toEqual([
      { greeting: "spec-1", gen: 1 },
      { greeting: "spec-2", gen: 2 },
    ]);
  });

  it("that do not compile fail with ALEPH_E_IMPORT naming the file, line and column of the module esbuild stopped at", async () => {
    const { kernel, userDir, status } = await boot();
    const dir = diskPlugin(userDir, "ts-typo", "src/index.ts", {
      "package.json": ESM_PACKAGE,
      "src/index.ts": ENTRY,
      "src/types.ts": TYPES,
      "src/greet.ts": "export function greet(name: string): string {\n  return `hi ${name}` +;\n}\n",
    });
    await kernel.host.refresh([dir]);
    const real = realpathSync(dir);
    expect(status("ts-typo")).toMatchObject({
      status: "failed",
      error: {
        code: "ALEPH_E_IMPORT",
        message: 'plugin "ts-typo" has a syntax error at src/greet.ts:2:24: Unexpected ";", in: return `hi ${name}` +;',
        file: join(real, "src", "greet.ts"),
        line: 2,
        fix: "correct the code at src/greet.ts:2:24",
      },
    });
  });
});

describe("tsx", () => {
  /**
   * Runs a kernel in a child Node with a loader hook that writes down every module URL loaded
   * (main thread and loader thread alike), and returns the ones of tsx or esbuild.
   */
  function tsxModulesLoaded(entry: string, files: Record<string, string>): string[] {
    const work = mkdtempSync(join(tmpdir(), "aleph-ts-probe-"));
    const userDir = join(work, "plugins");
    diskPlugin(userDir, "probe", entry, files);
    const record = join(work, "loaded.txt");
    writeFileSync(record, "");
    writeFileSync(join(work, "recorder.mjs"), `import { appendFileSync } from "node:fs";\nexport async function load(url, context, next) { appendFileSync(${JSON.stringify(record)}, url + "\\n"); return next(url, context); }\n`);
    writeFileSync(join(work, "register.mjs"), `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(join(work, "recorder.mjs")).href)});\n`);
    const kernelUrl = new URL("../dist/index.js", import.meta.url).href;
    const script = `
      const { createKernel } = await import(${JSON.stringify(kernelUrl)});
      const kernel = createKernel({ env: { ALEPH_STATE_DIR: ${JSON.stringify(work)} }, cwd: ${JSON.stringify(work)}, bundled: [], searchPaths: [{ source: "user", dir: ${JSON.stringify(userDir)} }], watch: false, lock: false, logToFiles: false });
      await kernel.start();
      const probe = kernel.host.list().find((p) => p.id === "probe");
      if (probe.status !== "active") throw new Error("probe did not load: " + JSON.stringify(probe.error));
      await kernel.host.reload("probe");
      await kernel.stop();
    `;
    const run = spawnSync(process.execPath, ["--import", pathToFileURL(join(work, "register.mjs")).href, "--input-type=module", "-e", script], { encoding: "utf8", cwd: work });
    expect(run.stderr).not.toMatch(/Error/);
    expect(run.status).toBe(0);
    const loaded = readFileSync(record, "utf8").split("\n").filter(Boolean);
    expect(loaded).toContain(kernelUrl); // the recorder saw the kernel load: it sees everything
    return loaded.filter((url) => /\/(tsx|esbuild)(@[^/]+)?\//.test(fileURLToPath(url.startsWith("file:") ? url.replace(/[?#].*$/, "") : "file:///x")));
  }

  it("is never loaded by a kernel whose plugins have JavaScript entries, even across a reload", () => {
    expect(tsxModulesLoaded("index.js", { "index.js": "export default { setup() {} };\n" })).toEqual([]);
  });

  it("is loaded once a TypeScript entry is imported (the check above can see it)", () => {
    const loaded = tsxModulesLoaded("index.mts", { "index.mts": "export default { setup(ctx: unknown): void {} };\n" });
    expect(loaded.some((url) => url.includes("/tsx"))).toBe(true);
  });
});
