/*
 * The SDK contracts the capability plugins build on, through the real CLI: ctx.watch (fires under
 * `aleph start`, never under `--no-watch`), ctx.plugins.contributions (another plugin's
 * [contributes], the same with and without a running kernel) and ctx.configValue (redacted).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { createWorkspace, runCli, sleep, startKernel, startReadyKernel, type Workspace } from "./support/aleph.js";
import { installPlugin, writePlugin, type PluginSpec } from "./support/plugins.js";

/**
 * The reader: watches `<root>/notes` and reports each batch (notes.changed), reports its view of
 * the `skills` contributions at setup and whenever a plugin loads or unloads (notes.skills), what
 * two config keys read (notes.gate), and serves the contributions to its command `notes skills`.
 */
const READER = `export default {
  async setup(ctx) {
    const skills = () => ctx.plugins.contributions("skills").map((c) => ({ plugin: c.plugin, paths: c.paths }));
    ctx.services.provide("notes", { skills });
    const report = () => ctx.events.emit("notes.skills", { skills: skills() });
    ctx.events.on("plugin.loaded", report);
    ctx.events.on("plugin.unloaded", report);
    const handle = ctx.watch("notes", (paths) => ctx.events.emit("notes.changed", { paths }));
    await handle.ready;
    await ctx.events.emit("notes.gate", {
      port: ctx.configValue("gateway.port"),
      token: ctx.configValue("interfaces.chatops.token"),
      provider: ctx.configValue("providers.acme", { file: "providers" }),
    });
    await ctx.events.emit("notes.ready", { watching: ctx.watching });
    await report();
  },
  commands: {
    async "notes skills"(cmd) {
      cmd.out(JSON.stringify(await cmd.kernel.call("notes", "skills", [])) + "\\n");
    },
  },
};
`;

const READER_MANIFEST = `[plugin]
id = "notes"
version = "1.0.0"
entry = "index.js"

[services]
provides = ["notes"]

[[commands]]
name = "notes skills"
summary = "Print the skills contributions the notes plugin sees"
`;

/** A plugin that contributes a skills directory and runs nothing. */
function skillPack(id: string): PluginSpec {
  return {
    id,
    manifest: `[plugin]\nid = "${id}"\nversion = "1.0.0"\nentry = "index.js"\n\n[contributes]\nskills = ["skills/"]\n`,
    code: "export default { setup() {} };\n",
    files: { "skills/hello/SKILL.md": "# hello\n" },
  };
}

function workspace(): Workspace {
  const ws = createWorkspace({ config: '[gateway]\nport = 18811\n\n[interfaces.chatops]\ntoken = "tok-e2e-123456"\n' });
  writeFileSync(join(ws.root, "providers.toml"), '[providers.acme]\nprotocol = "openai"\napi_key = "sk-e2e-abcdef123456"\n', { mode: 0o600 });
  writePlugin(join(ws.userDir, "notes"), { id: "notes", manifest: READER_MANIFEST, code: READER });
  return ws;
}

describe("SDK contracts through aleph", () => {
  test("under aleph start, ctx.watch reports a note written under the root, and another plugin's skills contribution arrives when it loads", async () => {
    const ws = workspace();
    const kernel = await startReadyKernel(ws);
    const ready = await kernel.waitForEvent("notes.ready");
    expect(ready.payload).toEqual({ watching: true });
    const gate = kernel.seen("notes.gate");
    expect(gate.payload).toEqual({ port: 18811, token: "[redacted]", provider: { protocol: "openai", api_key: "[redacted]", enabled: true } });

    let since = kernel.mark();
    mkdirSync(join(ws.root, "notes", "2025"), { recursive: true });
    writeFileSync(join(ws.root, "notes", "2025", "today.md"), "a note\n");
    const changed = await kernel.waitForEvent("notes.changed", (p) => p.paths.includes(join(ws.root, "notes", "2025", "today.md")), 10_000, since);
    expect(changed.payload.paths.every((p: string) => p.startsWith(join(ws.root, "notes")))).toBe(true);

    since = kernel.mark();
    const dir = installPlugin(ws.staging, ws.userDir, "pack", skillPack("pack"));
    const seen = await kernel.waitForEvent("notes.skills", (p) => p.skills.length > 0, 10_000, since);
    expect(seen.payload.skills).toEqual([{ plugin: "pack", paths: [join(dir, "skills")] }]);
    expect(kernel.stderr).not.toContain("sk-e2e-abcdef123456");
    await kernel.stop();
  });

  test("under aleph start --no-watch, ctx.watching is false and the handler is never called", async () => {
    const ws = workspace();
    const kernel = startKernel(ws, ["--no-watch"]);
    await kernel.ready();
    expect((await kernel.waitForEvent("notes.ready")).payload).toEqual({ watching: false });
    const since = kernel.mark();
    mkdirSync(join(ws.root, "notes"), { recursive: true });
    writeFileSync(join(ws.root, "notes", "today.md"), "a note\n");
    // Ten times the debounce: a watching kernel reports this within 100 ms (the test above).
    await sleep(1000);
    expect(kernel.eventsSince(since, "notes.changed"), kernel.describe(since)).toEqual([]);
    await kernel.stop();
  });

  test("a command sees the same contributions with a running kernel and in a kernel started only for it", async () => {
    const ws = workspace();
    const pack = writePlugin(join(ws.userDir, "pack"), skillPack("pack"));
    const expected = [{ plugin: "pack", paths: [join(pack, "skills")] }];

    const offline = await runCli(ws, ["notes", "skills"]);
    expect(offline.code, offline.stderr).toBe(0);
    expect(JSON.parse(offline.stdout)).toEqual(expected);

    const kernel = await startReadyKernel(ws);
    const online = await runCli(ws, ["notes", "skills"]);
    expect(online.code, online.stderr).toBe(0);
    expect(JSON.parse(online.stdout)).toEqual(expected);
    await kernel.stop();
  });
});
