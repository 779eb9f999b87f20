/*
 * A Node plugin whose entry is TypeScript source (`entry = "src/index.ts"`), run by the real CLI
 * with no build step: loaded through tsx, reloaded with fresh code when a module it imports is
 * saved, a syntax error reported with its file and line; and the scaffold's documented switch
 * from dist/index.js to src/index.ts.
 */
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { createWorkspace, entryOf, eventually, runCli, sleep, startKernel, startReadyKernel } from "./support/aleph.js";
import { writePlugin } from "./support/plugins.js";

/** The entry: SDK import (the host's copy), an interface, annotations, a type-only import. */
const ENTRY = `import { definePlugin } from "@aleph/plugin-sdk";
import type { Greeting } from "./types.ts";
import { greet } from "./greet.ts";

interface Said { text: Greeting; generation: number }

export default definePlugin({
  async setup(ctx) {
    const said: Said = { text: greet(ctx.id), generation: ctx.generation };
    await ctx.events.emit("greeter.said", said);
  },
});
`;
const greetSource = (word: string) => `import type { Greeting } from "./types.ts";\nexport function greet(name: string): Greeting {\n  return \`${word}, \${name}\`;\n}\n`;

describe("a TypeScript plugin entry", () => {
  test("loads with `aleph start`, and each save of a module it imports reloads it once, with the new code", { timeout: 60_000 }, async () => {
    const ws = createWorkspace();
    writePlugin(join(ws.userDir, "greeter"), {
      id: "greeter",
      entry: "src/index.ts",
      code: ENTRY,
      files: { "package.json": '{ "type": "module" }\n', "src/types.ts": "export type Greeting = string;\n", "src/greet.ts": greetSource("Hello"), "README.md": "# greeter\n" },
    });
    const kernel = await startReadyKernel(ws);
    const first = await kernel.waitForEvent("greeter.said", (p) => p.generation === 1);
    expect(first.payload.text).toBe("Hello, greeter");
    expect(entryOf(await kernel.pluginsList(), "greeter")).toMatchObject({ status: "active", generation: 1 });

    // Before its first reload the plugin has no recorded module graph: a .ts file counts.
    let since = kernel.mark();
    writeFileSync(join(ws.userDir, "greeter/src/greet.ts"), greetSource("Bonjour"));
    const second = await kernel.waitForEvent("greeter.said", (p) => p.generation === 2, 10_000, since);
    expect(second.payload.text).toBe("Bonjour, greeter");
    // greeter.said is emitted from setup, before its plugin.loaded: wait for that too, or it would
    // land after the next mark and look like a second reload.
    await kernel.waitForEvent("plugin.loaded", (p) => p.id === "greeter" && p.generation === 2, 10_000, since);

    // After it, the graph the loader recorded decides: greet.ts is in it, the README is not.
    since = kernel.mark();
    writeFileSync(join(ws.userDir, "greeter/README.md"), "# greeter, edited\n");
    writeFileSync(join(ws.userDir, "greeter/src/greet.ts"), greetSource("Hola"));
    const third = await kernel.waitForEvent("greeter.said", (p) => p.generation === 3, 10_000, since);
    expect(third.payload.text).toBe("Hola, greeter");
    await sleep(600);
    expect(kernel.eventsSince(since, "plugin.loaded", (p) => p.id === "greeter").map((e) => e.payload.generation), kernel.describe(since)).toEqual([3]);

    // A save that does not compile keeps generation 3 running and says where the error is.
    since = kernel.mark();
    writeFileSync(join(ws.userDir, "greeter/src/greet.ts"), "export function greet(name: string) {\n  return name +;\n}\n");
    const failed = await kernel.waitForEvent("plugin.failed", (p) => p.id === "greeter", 10_000, since);
    expect(failed.payload).toMatchObject({ code: "ALEPH_E_IMPORT", file: expect.stringMatching(/\/src\/greet\.ts$/) });
    expect(failed.payload.message).toContain("syntax error at src/greet.ts:2:16");
    const info = await eventually(async () => {
      const entry = entryOf(await kernel.pluginsList(), "greeter");
      return entry.error ? entry : undefined;
    });
    expect(info).toMatchObject({ status: "active", generation: 3, error: { code: "ALEPH_E_IMPORT", line: 2 } });
  });

  test("a scaffolded plugin runs from src/index.ts, unbuilt, after the switch its manifest describes", { timeout: 60_000 }, async () => {
    const ws = createWorkspace();
    const projects = mkdtempSync(join(tmpdir(), "aleph-author-"));
    const created = await runCli(ws, ["plugins", "new", "word-smith"], { cwd: projects });
    expect(created.code, created.stderr).toBe(0);
    const dir = join(projects, "word-smith");
    // The switch, as the manifest's comment says: no npm install, no build (the SDK is the host's).
    const manifestFile = join(dir, "aleph_plugin.toml");
    const manifest = readFileSync(manifestFile, "utf8");
    expect(manifest).toMatch(/^#\s+entry = "src\/index\.ts"$/m);
    writeFileSync(manifestFile, manifest.replace(/^entry = "dist\/index\.js"$/m, 'entry = "src/index.ts"'));
    const source = join(dir, "src/index.ts");
    writeFileSync(source, readFileSync(source, "utf8").replace('ctx.log.info("ready", { generation: ctx.generation });', 'void ctx.events.emit("word-smith.pong", { to: "setup", greeting: ctx.config.greeting });'));

    const kernel = await startReadyKernel(ws);
    let since = kernel.mark();
    symlinkSync(dir, join(ws.userDir, "word-smith"));
    const pong = await kernel.waitForEvent("word-smith.pong", () => true, 10_000, since);
    expect(pong.payload).toEqual({ to: "setup", greeting: "Hello" });

    since = kernel.mark();
    writeFileSync(source, readFileSync(source, "utf8").replace('default("Hello")', 'default("Bonjour")'));
    const again = await kernel.waitForEvent("word-smith.pong", () => true, 10_000, since);
    expect(again.payload.greeting).toBe("Bonjour");
    expect(entryOf(await kernel.pluginsList(), "word-smith")).toMatchObject({ status: "active", generation: 2 });
  });

  test("costs nothing when no plugin has one: `aleph start` never loads tsx or esbuild then", { timeout: 60_000 }, async () => {
    // A loader hook preloaded into the CLI writes down every module it loads, on either thread.
    const modulesLoaded = async (entry: string): Promise<string[]> => {
      const ws = createWorkspace();
      const record = join(ws.base, "loaded.txt");
      writeFileSync(record, "");
      writeFileSync(join(ws.base, "recorder.mjs"), `import { appendFileSync } from "node:fs";\nexport async function load(url, context, next) { appendFileSync(${JSON.stringify(record)}, url + "\\n"); return next(url, context); }\n`);
      writeFileSync(join(ws.base, "register.mjs"), `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(join(ws.base, "recorder.mjs")).href)});\n`);
      writePlugin(join(ws.userDir, "probe"), { id: "probe", entry, code: "export default { setup() {} };\n", files: { "package.json": '{ "type": "module" }\n' } });
      const kernel = startKernel(ws, ["--no-watch"], { env: { NODE_OPTIONS: `--import ${pathToFileURL(join(ws.base, "register.mjs")).href}` } });
      await kernel.ready();
      expect(entryOf(await kernel.pluginsList(), "probe")).toMatchObject({ status: "active" });
      await kernel.stop();
      return readFileSync(record, "utf8").split("\n").filter(Boolean);
    };
    const tsxOrEsbuild = (url: string) => /\/(tsx|esbuild)(@[^/]+)?\//.test(url);
    const withJs = await modulesLoaded("src/index.js");
    expect(withJs.some((url) => url.includes("/apps/cli/dist/aleph.js")), "the recorder sees the CLI load").toBe(true);
    expect(withJs.filter(tsxOrEsbuild)).toEqual([]);
    expect((await modulesLoaded("src/index.ts")).some(tsxOrEsbuild), "and would see tsx").toBe(true);
  });
});

