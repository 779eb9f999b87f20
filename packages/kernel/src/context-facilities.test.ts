/*
 * The parts of ctx the kernel lends every plugin: ctx.watch (one watcher service), ctx.plugins
 * (other plugins' [contributes]) and ctx.configValue (read-only, redacted) — through a real kernel,
 * real files and real chokidar.
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { PluginContext, PluginContribution, PluginDefinition } from "@aleph/plugin-sdk";
// The built kernel, as in plugin-host.test.ts: plugin code is loaded with Node's own import().
import { createKernel, type InlinePlugin, type Kernel, type KernelOptions } from "../dist/index.js";

const kernels: Kernel[] = [];
const temps: string[] = [];
afterEach(async () => {
  for (const k of kernels.splice(0)) await k.stop();
  for (const t of temps.splice(0)) rmSync(t, { recursive: true, force: true });
});

interface Boot {
  bundled?: InlinePlugin[];
  config?: string;
  providers?: string;
  env?: Record<string, string>;
  watch?: boolean;
  scope?: KernelOptions["scope"];
  /** Plugin directories to write into the user search path before start. */
  disk?: Record<string, { manifest: string; code: string; files?: Record<string, string> }>;
}

async function boot(options: Boot = {}) {
  const root = realpathSync(mkdtempSync(join(tmpdir(), "aleph-ctx-")));
  temps.push(root);
  const userDir = join(root, "plugins");
  mkdirSync(userDir);
  if (options.config) writeFileSync(join(root, "config.toml"), options.config);
  if (options.providers) writeFileSync(join(root, "providers.toml"), options.providers, { mode: 0o600 });
  for (const [name, plugin] of Object.entries(options.disk ?? {})) {
    const dir = join(userDir, name);
    for (const [file, text] of Object.entries({ "aleph_plugin.toml": plugin.manifest, "index.js": plugin.code, ...plugin.files })) {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      writeFileSync(join(dir, file), text);
    }
  }
  const kernel = createKernel({
    env: { ALEPH_STATE_DIR: root, ...options.env },
    cwd: root,
    bundled: options.bundled ?? [],
    searchPaths: [{ source: "user", dir: userDir }],
    watch: "watch" in options ? options.watch : false,
    lock: false,
    logToFiles: false,
    ...(options.scope ? { scope: options.scope } : {}),
  });
  const events: { event: string; payload: any }[] = [];
  kernel.bus.onAny((event, payload) => void events.push({ event, payload }));
  kernels.push(kernel);
  await kernel.start();
  return { kernel, root, userDir, events };
}

function inline(id: string, setup: (ctx: PluginContext<unknown>) => void | Promise<void>, extra: Record<string, unknown> = {}): InlinePlugin {
  return { manifest: { plugin: { id, version: "1.0.0" }, ...extra }, definition: { setup } as PluginDefinition<unknown> };
}

/** Resolves with the first value `next` is called with. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe("ctx.watch", () => {
  it("calls the handler with the changed paths, relative paths being relative to the state root", async () => {
    const seen = deferred<string[]>();
    let ready: Promise<void> | undefined;
    const { root } = await boot({
      watch: true,
      bundled: [
        inline("notes", (ctx) => {
          expect(ctx.watching).toBe(true);
          ready = ctx.watch("notes", (paths) => seen.resolve(paths)).ready;
        }),
      ],
    });
    await ready;
    mkdirSync(join(root, "notes"));
    writeFileSync(join(root, "notes", "today.md"), "hello");
    expect(await seen.promise).toContain(join(root, "notes", "today.md"));
  });

  it("is inert in a kernel that does not watch: ctx.watching is false and ready resolves at once", async () => {
    let watching: boolean | undefined;
    let ready: Promise<void> | undefined;
    await boot({
      watch: false,
      bundled: [
        inline("notes", (ctx) => {
          watching = ctx.watching;
          ready = ctx.watch("notes", () => undefined).ready;
        }),
      ],
    });
    expect(watching).toBe(false);
    await expect(ready).resolves.toBeUndefined();
  });

  it("follows [extensions] hot_reload when the kernel is not told otherwise", async () => {
    let ctxRef: PluginContext<unknown> | undefined;
    const { kernel, root } = await boot({
      watch: undefined,
      config: "[extensions]\nhot_reload = false\n",
      bundled: [inline("notes", (ctx) => void (ctxRef = ctx))],
    });
    expect(ctxRef!.watching).toBe(false);
    writeFileSync(join(root, "config.toml"), "[extensions]\nhot_reload = true\n");
    await kernel.reloadConfig();
    expect(ctxRef!.watching).toBe(true);
  });

  it("ends with the generation that made it: after a reload only the new generation's handler is called", async () => {
    const calls: number[] = [];
    let next = deferred<void>();
    let ready: Promise<void> | undefined;
    const { kernel, root } = await boot({
      watch: true,
      bundled: [
        inline("notes", (ctx) => {
          ready = ctx.watch(".", () => {
            calls.push(ctx.generation);
            next.resolve();
          }).ready;
        }),
      ],
    });
    await kernel.host.reload("notes");
    await ready;
    writeFileSync(join(root, "one.md"), "1");
    await next.promise;
    next = deferred<void>();
    writeFileSync(join(root, "two.md"), "2");
    await next.promise;
    expect(calls).toEqual([2, 2]);
  });

  it("reports a handler's failure against its plugin and keeps the watch", async () => {
    let n = 0;
    const second = deferred<void>();
    let ready: Promise<void> | undefined;
    const { root, events } = await boot({
      watch: true,
      bundled: [
        inline("notes", (ctx) => {
          ready = ctx.watch(".", () => {
            n += 1;
            if (n === 1) throw new Error("cannot parse the note");
            second.resolve();
          }).ready;
        }),
      ],
    });
    await ready;
    writeFileSync(join(root, "one.md"), "1");
    await waitFor(() => events.some((e) => e.event === "plugin.error"));
    expect(events.find((e) => e.event === "plugin.error")?.payload).toEqual({ id: "notes", event: "watch", message: "cannot parse the note" });
    writeFileSync(join(root, "two.md"), "2");
    await second.promise;
  });

  it("refuses a path that leaves the state root, failing the plugin's setup with the reason", async () => {
    const { kernel } = await boot({ watch: true, bundled: [inline("notes", (ctx) => void ctx.watch("../elsewhere", () => undefined))] });
    const info = kernel.host.list().find((p) => p.id === "notes")!;
    expect(info.status).toBe("failed");
    expect(info.error?.message).toMatch(/"\.\.\/elsewhere", which leaves the state root/);
  });
});

describe("ctx.onReady", () => {
  it("runs after kernel.ready for a plugin that loads with the kernel, soon after setup for one that loads later, and never for one gone before", async () => {
    const order: string[] = [];
    let late: PluginContext<unknown> | undefined;
    let readyEmitted = false;
    const { kernel, events } = await boot({
      config: '[extensions]\ndisabled = ["later"]\n',
      bundled: [
        inline("early", (ctx) => {
          ctx.events.on("kernel.ready", () => void (readyEmitted = true));
          ctx.onReady(() => void order.push(`early:${readyEmitted}`));
          ctx.onReady(() => {
            throw new Error("background work broke");
          });
          // Undone before the kernel is ready: never runs.
          ctx.onReady(() => void order.push("cancelled")).dispose();
        }),
        inline("later", (ctx) => {
          late = ctx;
          ctx.onReady(() => void order.push("later"));
        }),
      ],
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(order).toEqual(["early:true"]);
    expect(events.find((e) => e.event === "plugin.error")?.payload).toMatchObject({ id: "early", event: "kernel.ready", message: "background work broke" });
    const listeners = kernel.bus.listenerCount();
    writeFileSync(join(kernel.paths.root, "config.toml"), "");
    await kernel.reloadConfig();
    await new Promise((r) => setTimeout(r, 20));
    expect(late).toBeDefined();
    expect(order).toEqual(["early:true", "later"]);
    // It subscribes nothing: a plugin's footprint is the same whenever it loads.
    expect(kernel.bus.listenerCount()).toBe(listeners);
  });
});

describe("ctx.plugins.contributions", () => {
  const contributor = (id: string, values: string[]) => inline(id, () => undefined, { contributes: { skills: values } });

  it("lists what active plugins contribute under a name, with their directories and the paths resolved", async () => {
    let read: (() => PluginContribution[]) | undefined;
    const { kernel } = await boot({
      bundled: [
        { ...contributor("beta", ["skills/", "more"]), dir: "/opt/beta" },
        { ...contributor("alpha", ["skills"]), dir: "/opt/alpha" },
        inline("reader", (ctx) => void (read = () => ctx.plugins.contributions("skills"))),
      ],
    });
    expect(read!()).toEqual([
      { plugin: "alpha", source: "bundled", dir: "/opt/alpha", values: ["skills"], paths: ["/opt/alpha/skills"] },
      { plugin: "beta", source: "bundled", dir: "/opt/beta", values: ["skills/", "more"], paths: ["/opt/beta/skills", "/opt/beta/more"] },
    ]);
    expect(kernel.host.instanceOf("reader")!.ctx.plugins.contributions("protocols")).toEqual([]);
  });

  it("leaves out failed and disabled plugins, and follows plugins loading and unloading", async () => {
    const seen: string[][] = [];
    const { kernel, root } = await boot({
      config: '[extensions]\ndisabled = ["late"]\n',
      bundled: [
        contributor("late", ["skills"]),
        inline(
          "broken",
          () => {
            throw new Error("setup fails");
          },
          { contributes: { skills: ["skills"] } },
        ),
        inline("reader", (ctx) => {
          const record = (p: { id: string }) => void (p.id === "late" && seen.push(ctx.plugins.contributions("skills").map((c) => c.plugin)));
          ctx.events.on("plugin.loaded", record);
          ctx.events.on("plugin.unloaded", record);
        }),
      ],
    });
    expect(kernel.host.instanceOf("reader")!.ctx.plugins.contributions("skills")).toEqual([]);
    writeFileSync(join(root, "config.toml"), "[extensions]\ndisabled = []\n");
    await kernel.reloadConfig();
    writeFileSync(join(root, "config.toml"), '[extensions]\ndisabled = ["late"]\n');
    await kernel.reloadConfig();
    expect(seen).toEqual([["late"], []]);
  });

  it("in a kernel started for one command, counts the plugins it left out that aleph start would load", async () => {
    let read: (() => PluginContribution[]) | undefined;
    const { kernel, userDir } = await boot({
      scope: { plugins: ["reader"] },
      bundled: [inline("reader", (ctx) => void (read = () => ctx.plugins.contributions("skills")))],
      disk: {
        idle: {
          manifest: '[plugin]\nid = "idle"\nversion = "1.0.0"\nentry = "index.js"\n[contributes]\nskills = ["skills"]\n',
          code: "export default { setup() {} };\n",
        },
      },
    });
    expect(kernel.host.list().find((p) => p.id === "idle")?.status).toBe("inactive");
    expect(read!()).toEqual([{ plugin: "idle", source: "user", dir: join(userDir, "idle"), values: ["skills"], paths: [join(userDir, "idle", "skills")] }]);
  });

  it("refuses a name that can never be declared", async () => {
    const { kernel } = await boot({ bundled: [inline("reader", () => undefined)] });
    expect(() => kernel.host.instanceOf("reader")!.ctx.plugins.contributions("Skills")).toThrow(/invalid contribution name "Skills"/);
  });
});

describe("ctx.configValue", () => {
  const config = [
    "[gateway]",
    "port = 18795",
    'hook_url = "https://hooks.example/${HOOK_SECRET}/in"',
    "[interfaces.telegram]",
    "enabled = true",
    'bot_token = "${HOOK_SECRET}"',
    "",
  ].join("\n");
  const providers = '[providers.openai]\nprotocol = "openai"\napi_key = "sk-live-0123456789"\n';

  async function reader() {
    const { kernel, root } = await boot({ config, providers, env: { HOOK_SECRET: "hs-9876543210" }, bundled: [inline("gate", () => undefined)] });
    return { ctx: kernel.host.instanceOf("gate")!.ctx, kernel, root };
  }

  it("reads any key of config.toml as in force, kernel defaults included", async () => {
    const { ctx } = await reader();
    expect(ctx.configValue("gateway.port")).toBe(18795);
    expect(ctx.configValue("extensions.debounce_ms")).toBe(100);
    expect(ctx.configValue("interfaces.telegram.enabled")).toBe(true);
    expect(ctx.configValue("gateway.nothing")).toBeUndefined();
    expect(ctx.configValue("gateway.port.deeper")).toBeUndefined();
  });

  it("redacts secret-named keys and every known secret value, on the way to a key and below it", async () => {
    const { ctx } = await reader();
    expect(ctx.configValue("interfaces.telegram.bot_token")).toBe("[redacted]");
    expect(ctx.configValue("interfaces.telegram")).toEqual({ enabled: true, bot_token: "[redacted]" });
    expect(ctx.configValue("gateway.hook_url")).toBe("https://hooks.example/[redacted]/in");
    expect(ctx.configValue("providers.openai", { file: "providers" })).toEqual({ protocol: "openai", api_key: "[redacted]", enabled: true });
    expect(ctx.configValue("providers.openai.api_key", { file: "providers" })).toBe("[redacted]");
    expect(JSON.stringify(ctx.configValue("providers", { file: "providers" }))).not.toContain("sk-live");
  });

  it("gives a copy: changing it changes nothing the kernel or another plugin reads", async () => {
    const { ctx } = await reader();
    const section = ctx.configValue("interfaces.telegram") as Record<string, unknown>;
    section.enabled = false;
    expect(ctx.configValue("interfaces.telegram.enabled")).toBe(true);
  });

  it("reads the config in force after a change is applied", async () => {
    const { ctx, kernel, root } = await reader();
    writeFileSync(join(root, "config.toml"), config.replace("port = 18795", "port = 18796"));
    await kernel.reloadConfig();
    expect(ctx.configValue("gateway.port")).toBe(18796);
  });

  it("refuses a malformed key path or file, saying what a path looks like", async () => {
    const { ctx } = await reader();
    expect(() => ctx.configValue("gateway..port")).toThrow(/invalid config key path "gateway\.\.port"/);
    expect(() => ctx.configValue("")).toThrow(/invalid config key path ""/);
    expect(() => ctx.configValue("x", { file: "secrets" as never })).toThrow(/unknown config file "secrets"/);
  });
});

async function waitFor(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 20));
}

describe("ctx.plugins.status", () => {
  it("shows a plugin the kernel as `aleph status` does: every plugin (a failed one with its code and fix), services, secrets scrubbed", async () => {
    let status: (() => ReturnType<PluginContext<unknown>["plugins"]["status"]>) | undefined;
    const { kernel } = await boot({
      config: '[viewer]\ntoken = "${VIEWER_SECRET}"\n',
      env: { VIEWER_SECRET: "s3cr3t-value-123" },
      bundled: [
        inline("broken", () => {
          throw new Error("cannot start: s3cr3t-value-123 refused");
        }),
        inline(
          "viewer",
          (ctx) => {
            ctx.services.provide("viewing", {});
            status = () => ctx.plugins.status();
          },
          { services: { provides: ["viewing"] } },
        ),
      ],
    });
    const seen = status!();
    expect(seen.pid).toBe(process.pid);
    expect(seen.root).toBe(kernel.paths.root);
    expect(seen.plugins.find((p) => p.id === "viewer")).toMatchObject({ status: "active" });
    const broken = seen.plugins.find((p) => p.id === "broken")!;
    expect(broken).toMatchObject({ status: "failed", error: { code: "ALEPH_E_SETUP" } });
    expect(JSON.stringify(seen)).not.toContain("s3cr3t-value-123");
    expect(seen.services.map((s) => s.id)).toContain("viewing");
  });
});
