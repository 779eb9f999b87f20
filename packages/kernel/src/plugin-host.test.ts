import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { PluginDefinition } from "@aleph/plugin-sdk";
// The built kernel, not the source: plugin code is loaded with Node's own import() and loader
// hooks, which vitest's module runner would otherwise stand in for.
import { createKernel, type Kernel, type InlinePlugin, type PluginLoader } from "../dist/index.js";
import { loadNodePlugin } from "@aleph/node-host";

// The kernel loads no plugin code itself: the Node loader is passed, as the CLI and the test kit do.
const loaders: { node: PluginLoader } = { node: loadNodePlugin };

const kernels: Kernel[] = [];
afterEach(async () => {
  for (const k of kernels.splice(0)) await k.stop();
});

interface Setup {
  bundled?: InlinePlugin[];
  config?: string;
}

async function boot({ bundled = [], config }: Setup = {}) {
  const root = mkdtempSync(join(tmpdir(), "aleph-host-"));
  const userDir = join(root, "plugins");
  mkdirSync(userDir);
  if (config) writeFileSync(join(root, "config.toml"), config);
  const kernel = createKernel({
    env: { ALEPH_STATE_DIR: root },
    cwd: root,
    bundled,
    searchPaths: [{ source: "user", dir: userDir }],
    loaders,
    watch: false,
    lock: false,
    logToFiles: false,
  });
  const events: { event: string; payload: any }[] = [];
  kernel.bus.onAny((event, payload) => void events.push({ event, payload }));
  kernels.push(kernel);
  await kernel.start();
  const status = (id: string) => kernel.host.list().find((p) => p.id === id && p.status !== "overridden");
  return { kernel, root, userDir, events, status };
}

function inline(id: string, definition: PluginDefinition<any>, services: Record<string, string[]> = {}, plugin: Record<string, unknown> = {}): InlinePlugin {
  return { manifest: { plugin: { id, version: "1.0.0", ...plugin }, services }, definition };
}

function diskPlugin(userDir: string, name: string, files: Record<string, string>, manifest = "") {
  const dir = join(userDir, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "aleph_plugin.toml"), `[plugin]\nid = "${name}"\nversion = "1.0.0"\nentry = "index.js"\n${manifest}`);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

describe("plugin lifecycle", () => {
  it("undoes every registration last-in-first-out when a plugin unloads, and only once", async () => {
    const order: string[] = [];
    const { kernel, events } = await boot({
      bundled: [
        inline("tidy", {
          setup(ctx) {
            ctx.onDispose(() => void order.push("first"));
            ctx.events.on("ping", () => undefined);
            ctx.onDispose(() => void order.push("second"));
            ctx.signal.addEventListener("abort", () => order.push("aborted"));
          },
        }),
      ],
    });
    expect(kernel.bus.listenerCount("ping")).toBe(1);
    await kernel.stop();
    await kernel.stop();
    expect(order).toEqual(["aborted", "second", "first"]);
    expect(kernel.bus.listenerCount("ping")).toBe(0);
    expect(events.filter((e) => e.event === "plugin.unloaded")).toEqual([
      { event: "plugin.unloaded", payload: { id: "tidy", version: "1.0.0", reason: "shutdown" } },
    ]);
  });

  it("unloads in reverse load order on shutdown", async () => {
    const { kernel, events } = await boot({
      bundled: [
        inline("consumer", { setup: (ctx) => void ctx.services.get("base") }, { requires: ["base"] }),
        inline("base", { setup: (ctx) => void ctx.services.provide("base", {}) }, { provides: ["base"] }),
      ],
    });
    const loaded = events.filter((e) => e.event === "plugin.loaded").map((e) => e.payload.id);
    await kernel.stop();
    const unloaded = events.filter((e) => e.event === "plugin.unloaded").map((e) => e.payload.id);
    expect(loaded).toEqual(["base", "consumer"]);
    expect(unloaded).toEqual(["consumer", "base"]);
  });

  it("refuses a service the manifest does not declare, and a declared one that is never provided", async () => {
    const { status } = await boot({
      bundled: [
        inline("sneaky", { setup: (ctx) => void ctx.services.get("secret") }),
        inline("lazy", { setup: () => undefined }, { provides: ["work"] }),
      ],
    });
    expect(status("sneaky")?.error).toMatchObject({ code: "ALEPH_E_SETUP" });
    expect(status("sneaky")?.error?.message).toMatch(/asked for service "secret", which its manifest does not declare/);
    expect(status("lazy")?.error?.message).toMatch(/declares it provides "work" but its setup did not provide it/);
  });

  it("fails a setup that runs past the timeout and undoes what it registers afterwards", async () => {
    let late: (() => void) | undefined;
    const { kernel, status } = await boot({
      config: "[extensions]\nsetup_timeout_ms = 100\n",
      bundled: [
        inline(
          "slow",
          {
            async setup(ctx) {
              await new Promise<void>((r) => (late = r));
              ctx.services.provide("slow", {});
            },
          },
          { provides: ["slow"] },
        ),
        inline("fine", { setup: () => undefined }),
      ],
    });
    expect(status("slow")?.status).toBe("failed");
    expect(status("slow")?.error?.code).toBe("ALEPH_E_TIMEOUT");
    expect(status("fine")?.status).toBe("active");
    late!();
    await new Promise((r) => setTimeout(r, 10));
    expect(kernel.host.registry.bound("slow")).toBeUndefined();
  });

  it("reports a throwing event handler against its plugin and keeps the emitter safe", async () => {
    const { kernel, events } = await boot({ bundled: [inline("thrower", { setup: (ctx) => void ctx.events.on("tick", () => { throw new Error("bad tick"); }) })] });
    await expect(kernel.bus.emit("tick", {})).resolves.toBeUndefined();
    await new Promise((r) => setTimeout(r, 0));
    expect(events.find((e) => e.event === "plugin.error")?.payload).toEqual({ id: "thrower", event: "tick", message: "bad tick" });
  });
});

describe("reload", () => {
  it("loads a fresh module graph, including modules the entry imports", async () => {
    const { kernel, userDir, events } = await boot();
    const dir = diskPlugin(userDir, "graph", {
      "index.js": 'import { word } from "./lib/word.js";\nexport default { async setup(ctx) { await ctx.events.emit("graph.word", { word, gen: ctx.generation }); } };\n',
      "lib/word.js": 'export const word = "one";\n',
    });
    await kernel.host.refresh([dir]);
    writeFileSync(join(dir, "lib/word.js"), 'export const word = "two";\n');
    await kernel.host.refresh([dir]);
    expect(events.filter((e) => e.event === "graph.word").map((e) => e.payload)).toEqual([
      { word: "one", gen: 1 },
      { word: "two", gen: 2 },
    ]);
  });

  it("re-examines a running plugin for changes to files its generation imported, not for its sources, docs or unused modules", async () => {
    const { kernel, userDir, events, status } = await boot();
    const dir = diskPlugin(userDir, "picky", {
      "index.js": 'import { word } from "./lib/word.js";\nexport default { async setup(ctx) { await ctx.events.emit("picky.word", { word, gen: ctx.generation }); } };\n',
      "lib/word.js": 'export const word = "one";\n',
      "lib/unused.js": "export const unused = 1;\n",
      "src/word.ts": 'export const word: string = "one";\n',
    });
    await kernel.host.refresh([dir]);
    await kernel.host.reload("picky"); // a reload goes through the loader hooks, which record the graph
    expect(status("picky")).toMatchObject({ status: "active", generation: 2 });
    writeFileSync(join(dir, "lib/word.js"), 'export const word = "two";\n');
    await kernel.host.filesChanged(dir, ["src/word.ts", "README.md", "lib/unused.js", "lib/word.js.map"].map((f) => join(dir, f)));
    expect(status("picky")).toMatchObject({ status: "active", generation: 2 });
    await kernel.host.filesChanged(dir, [join(dir, "src/word.ts"), join(dir, "lib/word.js")]);
    expect(status("picky")).toMatchObject({ status: "active", generation: 3 });
    expect(events.filter((e) => e.event === "picky.word").map((e) => e.payload)).toEqual([
      { word: "one", gen: 1 },
      { word: "one", gen: 2 },
      { word: "two", gen: 3 },
    ]);
  });

  it("keeps the previous generation running when the new code does not import", async () => {
    const { kernel, userDir, events, status } = await boot();
    const dir = diskPlugin(userDir, "steady", { "index.js": 'export default { setup(ctx) { ctx.services.provide("steady", { v: 1 }); } };\n' }, '[services]\nprovides = ["steady"]\n');
    await kernel.host.refresh([dir]);
    expect(status("steady")?.error).toBeUndefined();
    expect(status("steady")).toMatchObject({ status: "active", generation: 1 });
    writeFileSync(join(dir, "index.js"), "export default { setup(ctx) { syntax error here\n");
    await kernel.host.refresh([dir]);
    expect(status("steady")).toMatchObject({ status: "active", generation: 1, error: { code: "ALEPH_E_IMPORT" } });
    expect(kernel.host.registry.bound("steady")?.implementation).toEqual({ v: 1 });
    expect(events.filter((e) => e.event === "plugin.unloaded")).toEqual([]);
    writeFileSync(join(dir, "index.js"), 'export default { setup(ctx) { ctx.services.provide("steady", { v: 2 }); } };\n');
    await kernel.host.refresh([dir]);
    expect(status("steady")).toMatchObject({ status: "active", generation: 2 });
    expect(status("steady")?.error).toBeUndefined();
    expect(kernel.host.registry.bound("steady")?.implementation).toEqual({ v: 2 });
  });

  it("brings the previous code back up when the new code's setup fails", async () => {
    const { kernel, userDir, status } = await boot();
    const dir = diskPlugin(userDir, "rollback", { "index.js": 'export default { setup(ctx) { ctx.services.provide("rb", { v: "old" }); } };\n' }, '[services]\nprovides = ["rb"]\n');
    await kernel.host.refresh([dir]);
    writeFileSync(join(dir, "index.js"), 'export default { setup() { throw new Error("new code is broken"); } };\n');
    await kernel.host.refresh([dir]);
    expect(status("rollback")).toMatchObject({ status: "active", error: { code: "ALEPH_E_SETUP" } });
    expect(kernel.host.registry.bound("rb")?.implementation).toEqual({ v: "old" });
  });

  it("keeps a running plugin when its manifest is broken by an edit", async () => {
    const { kernel, userDir, status } = await boot();
    const dir = diskPlugin(userDir, "manifesto", { "index.js": "export default { setup() {} };\n" });
    await kernel.host.refresh([dir]);
    writeFileSync(join(dir, "aleph_plugin.toml"), '[plugin]\nid = "manifesto"\nversion = "one"\n');
    await kernel.host.refresh([dir]);
    expect(status("manifesto")).toMatchObject({ status: "active", generation: 1, error: { code: "ALEPH_E_MANIFEST" } });
  });

  it("unloads a removed plugin and forgets it", async () => {
    const { kernel, userDir, events, status } = await boot();
    const dir = diskPlugin(userDir, "gone", { "index.js": "export default { setup() {} };\n" });
    await kernel.host.refresh([dir]);
    rmSync(dir, { recursive: true });
    await kernel.host.refresh([dir]);
    expect(events.at(-1)).toEqual({ event: "plugin.unloaded", payload: { id: "gone", version: "1.0.0", reason: "removed" } });
    expect(status("gone")).toBeUndefined();
  });
});

describe("services and dependencies", () => {
  const provider = (id: string, priority: number) =>
    inline(id, { setup: (ctx) => void ctx.services.provide("store", { name: id }) }, { provides: ["store"] }, { priority });
  const consumer = (seen: string[]) => inline("consumer", { setup: (ctx) => void seen.push(ctx.services.get<{ name: string }>("store").name) }, { requires: ["store"] });

  it("binds the highest priority provider and fails over to the next, reloading dependents", async () => {
    const seen: string[] = [];
    const { kernel, root, events, status } = await boot({ bundled: [provider("low", 1), provider("high", 10), consumer(seen)] });
    expect(seen).toEqual(["high"]);
    writeFileSync(join(root, "config.toml"), '[extensions]\ndisabled = ["high"]\n');
    await kernel.reloadConfig();
    expect(seen).toEqual(["high", "low"]);
    expect(events.filter((e) => e.event === "plugin.unloaded").map((e) => [e.payload.id, e.payload.reason])).toEqual([
      ["consumer", "reload"],
      ["high", "disabled"],
    ]);
    expect(status("consumer")?.generation).toBe(2);
  });

  it("unloads dependents with reason dependency when no provider is left, and brings them back", async () => {
    const seen: string[] = [];
    const { kernel, root, events, status } = await boot({ bundled: [provider("only", 0), consumer(seen)] });
    writeFileSync(join(root, "config.toml"), '[extensions]\ndisabled = ["only"]\n');
    await kernel.reloadConfig();
    expect(events.find((e) => e.event === "plugin.unloaded" && e.payload.id === "consumer")?.payload.reason).toBe("dependency");
    expect(status("consumer")?.error?.code).toBe("ALEPH_E_DEPENDENCY");
    expect(status("consumer")?.error?.message).toMatch(/provider "only" is disabled/);
    writeFileSync(join(root, "config.toml"), "[extensions]\ndisabled = []\n");
    await kernel.reloadConfig();
    expect(status("consumer")).toMatchObject({ status: "active", generation: 2 });
    expect(seen).toEqual(["only", "only"]);
  });

  it("rebinds dependents when a better provider arrives", async () => {
    const seen: string[] = [];
    const { kernel, userDir } = await boot({ bundled: [provider("low", 1), consumer(seen)] });
    const dir = diskPlugin(userDir, "better", { "index.js": 'export default { setup(ctx) { ctx.services.provide("store", { name: "better" }); } };\n' }, 'priority = 5\n[services]\nprovides = ["store"]\n');
    await kernel.host.refresh([dir]);
    expect(seen).toEqual(["low", "better"]);
  });

  it("names the missing service and the failed provider", async () => {
    const { status } = await boot({
      bundled: [
        inline("orphan", { setup: () => undefined }, { requires: ["nothing"] }),
        inline("broken", { setup: () => { throw new Error("kaput"); } }, { provides: ["fragile"] }),
        inline("victim", { setup: () => undefined }, { requires: ["fragile"] }),
      ],
    });
    expect(status("orphan")?.error?.message).toMatch(/no plugin provides service "nothing"/);
    expect(status("victim")?.error?.message).toMatch(/provider "broken" failed \(ALEPH_E_SETUP: kaput\)/);
  });

  it("fails every member of a cycle, naming them all", async () => {
    const { status } = await boot({
      bundled: [
        inline("a", { setup: () => undefined }, { provides: ["sa"], requires: ["sb"] }),
        inline("b", { setup: () => undefined }, { provides: ["sb"], requires: ["sa"] }),
      ],
    });
    for (const id of ["a", "b"]) {
      expect(status(id)?.error?.code).toBe("ALEPH_E_CYCLE");
      expect(status(id)?.error?.message).toMatch(/"a".*"b"/);
    }
  });
});

describe("config", () => {
  const schema = {
    "~standard": {
      version: 1 as const,
      vendor: "test",
      validate: (v: unknown) =>
        typeof (v as { n?: unknown }).n === "number" || (v as { n?: unknown }).n === undefined
          ? { value: { n: 1, ...(v as object) } }
          : { issues: [{ message: "n must be a number", path: ["n"] }] },
    },
  };

  it("reloads a plugin whose section changed when it has no onConfigChange, and applies in place when it has", async () => {
    const seen: unknown[] = [];
    const { kernel, root, events } = await boot({
      bundled: [
        inline("reloader", { config: schema, setup: (ctx) => void seen.push(["reloader", ctx.config, ctx.generation]) }),
        inline("applier", { config: schema, setup: (ctx) => void ctx.onConfigChange((c) => void seen.push(["applied", c])) }, {}, { config_key: "shared" }),
      ],
    });
    writeFileSync(join(root, "config.toml"), "[reloader]\nn = 5\n[shared]\nn = 7\n");
    const result = await kernel.reloadConfig();
    expect(result.sections).toEqual(["reloader", "shared"]);
    expect(seen).toEqual([["reloader", { n: 1 }, 1], ["applied", { n: 7 }], ["reloader", { n: 5 }, 2]]);
    expect(events.filter((e) => e.event === "plugin.unloaded").map((e) => e.payload.id)).toEqual(["reloader"]);
  });

  it("rejects a change a plugin's schema refuses and keeps the old config", async () => {
    const { kernel, root, events } = await boot({ bundled: [inline("strict", { config: schema, setup: () => undefined })] });
    writeFileSync(join(root, "config.toml"), '[extensions]\ndebounce_ms = 1234\n[strict]\nn = "many"\n');
    const result = await kernel.reloadConfig();
    expect(result.applied).toBe(false);
    expect(events.find((e) => e.event === "config.invalid")?.payload.errors[0]).toMatchObject({ path: "strict.n", line: 4 });
    expect(kernel.config.config.extensions.debounce_ms).toBe(100);
  });

  it("a rejected change's secrets are scrubbed from the rejection it causes (event and result), even though the change never applies", async () => {
    const quoting = {
      "~standard": {
        version: 1 as const,
        vendor: "test",
        validate: (v: unknown) => {
          const token = (v as { token?: unknown }).token;
          return token === undefined || String(token).startsWith("ok-") ? { value: v } : { issues: [{ message: `token ${String(token)} is not an ok- token`, path: ["token"] }] };
        },
      },
    };
    const { kernel, root, events } = await boot({ bundled: [inline("quoter", { config: quoting, setup: () => undefined })] });
    writeFileSync(join(root, "config.toml"), '[quoter]\ntoken = "tok-rejected-4711"\n');
    const result = await kernel.reloadConfig();
    expect(result.applied).toBe(false);
    const invalid = events.find((e) => e.event === "config.invalid");
    expect(invalid?.payload.errors[0].message).toMatch(/^token \[redacted\] is not an ok- token/);
    expect(JSON.stringify(result)).not.toContain("tok-rejected-4711");
  });
});

describe("secrets in failures", () => {
  const TOKEN = "tok-unit-5f3e2d1c";
  const quoted = (value: unknown) => JSON.stringify(value).includes(TOKEN);

  it("redacts a failure when it is recorded: list, inspect, status and the plugin.failed payload", async () => {
    const { kernel, events, status } = await boot({
      config: `[leaky]\ntoken = "${TOKEN}"\n`,
      bundled: [
        inline("leaky", {
          setup: (ctx) => {
            throw new Error(`setup failed because value=${(ctx.config as { token: string }).token}`);
          },
        }),
      ],
    });
    expect(status("leaky")).toMatchObject({ status: "failed", error: { code: "ALEPH_E_SETUP", message: "setup failed because value=[redacted]" } });
    const failed = events.find((e) => e.event === "plugin.failed" && e.payload.id === "leaky");
    expect(failed?.payload.message).toMatch(/^setup failed because value=\[redacted\]/);
    for (const shown of [kernel.host.list(), kernel.inspect("leaky"), kernel.status(), failed]) expect(quoted(shown)).toBe(false);
  });

  it("redacts the failure kept beside the previous code after a reload's setup fails", async () => {
    const { kernel, userDir, status } = await boot({ config: `[rollback]\ntoken = "${TOKEN}"\n` });
    const dir = diskPlugin(userDir, "rollback", { "index.js": "export default { setup() {} };\n" });
    await kernel.host.refresh([dir]);
    writeFileSync(join(dir, "index.js"), 'export default { setup(ctx) { throw new Error("now broken: " + ctx.config.token); } };\n');
    await kernel.host.refresh([dir]);
    expect(status("rollback")).toMatchObject({ status: "active", generation: 2, error: { message: "now broken: [redacted]" } });
    expect(quoted(kernel.host.list())).toBe(false);
  });

  it("scrubs the message of a plugin.error a plugin reports itself (as the WASM host does for a guest)", async () => {
    const { events } = await boot({
      config: `[reporter]\ntoken = "${TOKEN}"\n`,
      bundled: [
        inline("reporter", {
          setup: (ctx) => ctx.events.emit("plugin.error", { id: "reporter", event: "tool.call", message: `guest trapped reading ${(ctx.config as { token: string }).token}` }),
        }),
      ],
    });
    const reported = events.find((e) => e.event === "plugin.error" && e.payload.id === "reporter");
    expect(reported?.payload.message).toBe("guest trapped reading [redacted]");
  });
});

describe("syntax errors", () => {
  it("name the file, line and column, and quote the line, for a module the entry imports", async () => {
    const { kernel, userDir, status } = await boot();
    const dir = diskPlugin(userDir, "typo", {
      "index.js": 'import { greet } from "./lib/greet.js";\nexport default { setup(ctx) { greet(ctx); } };\n',
      "lib/greet.js": 'export function greet(ctx) {\n  ctx.log.info("hello", { id: ctx.id };\n}\n',
    });
    await kernel.host.refresh([dir]);
    const real = realpathSync(dir);
    expect(status("typo")).toMatchObject({
      status: "failed",
      error: {
        code: "ALEPH_E_IMPORT",
        message: 'plugin "typo" has a syntax error at lib/greet.js:2:38: missing ) after argument list, in: ctx.log.info("hello", { id: ctx.id };',
        file: join(real, "lib", "greet.js"),
        line: 2,
        fix: "correct the code at lib/greet.js:2:38",
      },
    });
  });

  it("locate a CommonJS module's syntax error from the stack Node gives it", async () => {
    const { kernel, userDir, status } = await boot();
    const dir = diskPlugin(userDir, "cjs-typo", {
      // A CommonJS entry: on Node 20, an ES module importing a .cjs that does not compile also
      // leaves an unhandled rejection behind (a Node bug, gone in Node 24).
      "index.js": 'const helper = require("./helper.cjs");\nmodule.exports = { setup() { helper(); } };\n',
      "helper.cjs": "module.exports = function helper() {\n  return 1 +;\n};\n",
    });
    await kernel.host.refresh([dir]);
    expect(status("cjs-typo")?.error).toMatchObject({
      code: "ALEPH_E_IMPORT",
      message: "plugin \"cjs-typo\" has a syntax error at helper.cjs:2:13: Unexpected token ';', in: return 1 +;",
      file: join(realpathSync(dir), "helper.cjs"),
      line: 2,
    });
  });
});

describe("plugin records", () => {
  it("an active plugin carries the import and setup time of its running generation; a failed one does not", async () => {
    const root = mkdtempSync(join(tmpdir(), "aleph-timings-"));
    const plugins = join(root, "plugins");
    diskPlugin(plugins, "timed", { "index.js": "export default { async setup() { await new Promise((r) => setImmediate(r)); } };\n" });
    diskPlugin(plugins, "throws", { "index.js": "export default { setup() { throw new Error('no'); } };\n" });
    const kernel = createKernel({ env: { ALEPH_STATE_DIR: root }, cwd: root, searchPaths: [{ source: "user", dir: plugins }], loaders, watch: false, lock: false, logToFiles: false });
    kernels.push(kernel);
    await kernel.start();
    const timed = kernel.host.list().find((p) => p.id === "timed")!;
    expect(timed.status).toBe("active");
    expect(timed.timings).toEqual({ importMs: expect.any(Number), setupMs: expect.any(Number) });
    expect(timed.timings!.importMs).toBeGreaterThanOrEqual(0);
    const throws = kernel.host.list().find((p) => p.id === "throws")!;
    expect(throws).toMatchObject({ status: "failed", error: { code: "ALEPH_E_SETUP" } });
    expect(throws.timings).toBeUndefined();
  });

  it("a plugin switched off by [extensions] enabled = false is listed disabled, naming that key", async () => {
    const root = mkdtempSync(join(tmpdir(), "aleph-off-"));
    const plugins = join(root, "plugins");
    diskPlugin(plugins, "mine", { "index.js": "export default { setup() {} };\n" });
    writeFileSync(join(root, "config.toml"), "[extensions]\nenabled = false\n");
    const kernel = createKernel({ env: { ALEPH_STATE_DIR: root }, cwd: root, searchPaths: [{ source: "user", dir: plugins }], loaders, watch: false, lock: false, logToFiles: false });
    kernels.push(kernel);
    await kernel.start();
    expect(kernel.host.list().find((p) => p.id === "mine")).toMatchObject({ status: "disabled", disabledBy: "extensions.enabled" });
    expect(kernel.host.instanceOf("mine")).toBeUndefined();
  });
});

describe("plugin loaders", () => {
  it("a kernel given no node loader fails each node plugin with ALEPH_E_NO_LOADER naming the missing loader, and still runs in-memory plugins", async () => {
    const root = mkdtempSync(join(tmpdir(), "aleph-no-loader-"));
    const plugins = join(root, "plugins");
    diskPlugin(plugins, "on-disk", { "index.js": "export default { setup() {} };\n" });
    const inline: InlinePlugin = { manifest: { plugin: { id: "in-memory", version: "1.0.0" } }, definition: { setup() {} } };
    const kernel = createKernel({ env: { ALEPH_STATE_DIR: root }, cwd: root, bundled: [inline], searchPaths: [{ source: "user", dir: plugins }], watch: false, lock: false, logToFiles: false });
    kernels.push(kernel);
    await kernel.start();
    expect(kernel.host.list().find((p) => p.id === "on-disk")).toMatchObject({
      status: "failed",
      error: {
        code: "ALEPH_E_NO_LOADER",
        message: 'plugin "on-disk" is a node plugin, and this kernel has no loader for node plugins',
        file: join(plugins, "on-disk", "aleph_plugin.toml"),
        fix: expect.stringContaining("@aleph/node-host"),
      },
    });
    expect(kernel.host.list().find((p) => p.id === "in-memory")).toMatchObject({ status: "active" });
  });
});
