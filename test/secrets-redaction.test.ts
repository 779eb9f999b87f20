/*
 * A plugin that puts a vault secret into the error its setup throws (and into error objects it
 * logs): the secret must reach none of the places a failure is shown or kept — `status`,
 * `status --json`, `plugins list`, `plugins inspect`, logs/, stderr, the event stream, and the
 * plugin.failed payload other plugins receive in process.
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { CLI, createWorkspace, eventually, runCli, runCliJson, startKernel, type Workspace } from "./support/aleph.js";
import { writePlugin } from "./support/plugins.js";

const SECRET = "tg-bot-secret-5e81c2a9f04d";

/** Every file under logs/, concatenated. */
function logText(ws: Workspace): string {
  const dir = join(ws.root, "logs");
  if (!existsSync(dir)) return "";
  return readdirSync(dir)
    .map((name) => readFileSync(join(dir, name), "utf8"))
    .join("\n");
}

function leakyPlugins(ws: Workspace): void {
  // Fails its setup quoting the value, after logging errors that quote it (as a field, and with a cause).
  writePlugin(join(ws.userDir, "leaky"), {
    id: "leaky",
    optional: ["observer"],
    code: `export default {
  async setup(ctx) {
    const value = ctx.config.value;
    const lookup = new Error("lookup failed for " + value);
    lookup.code = "E_LOOKUP";
    ctx.log.error("could not reach the bot", { error: new Error("bad token " + value, { cause: lookup }) });
    throw new Error("setup failed because value=" + value);
  },
};
`,
  });
  // Loads first (leaky optionally uses its service) and reports, without quoting it, whether the
  // plugin.failed payload it received in process held the secret.
  writePlugin(join(ws.userDir, "observer"), {
    id: "observer",
    provides: ["observer"],
    code: `export default {
  async setup(ctx) {
    ctx.services.provide("observer", {});
    ctx.events.on("plugin.failed", (payload) => {
      if (payload.id !== "leaky") return;
      return ctx.events.emit("observer.saw", { quoted: JSON.stringify(payload).includes(ctx.config.value), code: payload.code });
    });
  },
};
`,
  });
}

describe("a secret in a plugin's error", () => {
  test("never reaches status, plugins list, plugins inspect, logs, stderr or events", async () => {
    const ws = createWorkspace();
    const set = await runCli(ws, ["keys", "set", "tg"], { input: `${SECRET}\n` });
    expect(set.code, set.stderr).toBe(0);
    ws.writeConfig(`[leaky]\nvalue = "keys:tg"\n\n[observer]\nvalue = "keys:tg"\n`);
    leakyPlugins(ws);

    const kernel = startKernel(ws);
    await kernel.ready();
    const saw = await kernel.waitForEvent("observer.saw");
    expect(saw.payload).toEqual({ quoted: false, code: "ALEPH_E_SETUP" });
    const failed = kernel.seen("plugin.failed", (p) => (p as { id: string }).id === "leaky");
    expect((failed.payload as { message: string }).message).toContain("setup failed because value=[redacted]");

    const outputs: Record<string, string> = {};
    for (const args of [
      ["status"],
      ["status", "--json"],
      ["plugins", "list"],
      ["plugins", "list", "--json"],
      ["plugins", "inspect", "leaky"],
      ["plugins", "inspect", "leaky", "--json"],
    ]) {
      const result = await runCli(ws, args);
      expect(result.code, `${args.join(" ")}: ${result.stderr}`).toBe(0);
      outputs[args.join(" ")] = result.stdout + result.stderr;
    }
    // The failure is shown, with the secret replaced.
    const listed = (await runCliJson(ws, ["plugins", "list", "--json"])).find((p: { id: string }) => p.id === "leaky");
    expect(listed).toMatchObject({ status: "failed", error: { code: "ALEPH_E_SETUP", message: "setup failed because value=[redacted]" } });
    expect(outputs["status"]).toContain("setup failed because value=[redacted]");
    expect(outputs["plugins inspect leaky"]).toContain("setup failed because value=[redacted]");

    // events tail: an event whose payload quotes the secret (with characters JSON escapes beside it)
    // arrives scrubbed and still parses; the tail ends, exit 0, when the kernel stops.
    const tail = spawn(process.execPath, [CLI, "events", "tail", "--filter", "leak."], { env: ws.env, cwd: ws.cwd });
    let streamed = "";
    tail.stdout.setEncoding("utf8").on("data", (d: string) => (streamed += d));
    const tailExit = new Promise<number | null>((resolve) => tail.on("exit", (code) => resolve(code)));
    await eventually(async () => {
      await runCli(ws, ["events", "emit", "leak.test", JSON.stringify({ said: `"${SECRET}"\n`, nested: [{ token: SECRET }] })]);
      expect(streamed).toContain("leak.test");
    }, 15_000, 300);
    const tailed = JSON.parse(streamed.split("\n").find((line) => line.includes("leak.test"))!);
    expect(tailed).toEqual({ event: "leak.test", payload: { said: '"[redacted]"\n', nested: [{ token: "[redacted]" }] } });

    await kernel.stop();
    expect(await tailExit, "events tail ends cleanly with the kernel").toBe(0);
    const logs = logText(ws);
    // Errors given as log fields are written out (message, code, stack, cause), not as {}.
    const logged = logs
      .split("\n")
      .filter((line) => line.includes("could not reach the bot"))
      .map((line) => JSON.parse(line) as { error: Record<string, any> });
    expect(logged).toHaveLength(1);
    expect(logged[0]!.error).toMatchObject({
      type: "Error",
      message: "bad token [redacted]",
      stack: expect.stringContaining("bad token [redacted]"),
      cause: { type: "Error", message: "lookup failed for [redacted]", code: "E_LOOKUP" },
    });
    // The failure is logged with the plugin's own error as its cause: its stack points into the plugin.
    const failure = logs
      .split("\n")
      .filter((line) => line.includes('"msg":"plugin failed"') && line.includes('"plugin":"leaky"'))
      .map((line) => JSON.parse(line) as { error: Record<string, any> });
    expect(failure[0]!.error).toMatchObject({
      code: "ALEPH_E_SETUP",
      message: "setup failed because value=[redacted]",
      cause: { message: "setup failed because value=[redacted]", stack: expect.stringMatching(/leaky\/index\.js(\?[^:]*)?:7:/) },
    });

    const everything = {
      ...outputs,
      logs,
      stderr: kernel.stderr,
      events: kernel.events.map((e) => JSON.stringify(e)).join("\n"),
      tail: streamed,
    };
    for (const [where, text] of Object.entries(everything)) expect(text, where).not.toContain(SECRET);
  });

  test("a plugin schema that quotes the value it refuses: config check and the failed plugin show it redacted", async () => {
    const ws = createWorkspace();
    const set = await runCli(ws, ["keys", "set", "tg"], { input: `${SECRET}\n` });
    expect(set.code, set.stderr).toBe(0);
    ws.writeConfig(`[picky]\nvalue = "keys:tg"\n`);
    // A Standard Schema written by hand (no dependencies) whose message quotes the value.
    writePlugin(join(ws.userDir, "picky"), {
      id: "picky",
      code: `export default {
  config: { "~standard": { version: 1, vendor: "picky", validate: (v) => ({ issues: [{ message: "not a bot token: " + v.value, path: ["value"] }] }) } },
  setup() {},
};
`,
    });
    const check = await runCli(ws, ["config", "check"]);
    expect(check.code).toBe(1);
    expect(check.stderr).toMatch(/picky\.value: not a bot token: \[redacted\]/);
    const checkJson = await runCli(ws, ["config", "check", "--json"]);
    expect(checkJson.stdout).toContain("not a bot token: [redacted]");

    const kernel = startKernel(ws);
    await kernel.ready();
    const inspect = await runCli(ws, ["plugins", "inspect", "picky"]);
    expect(inspect.stdout).toMatch(/ALEPH_E_CONFIG: .*not a bot token: \[redacted\]/);
    await kernel.stop();
    for (const [where, text] of Object.entries({ check: check.stdout + check.stderr, checkJson: checkJson.stdout, inspect: inspect.stdout, logs: logText(ws), stderr: kernel.stderr, events: JSON.stringify(kernel.events) })) {
      expect(text, where).not.toContain(SECRET);
    }
  });
});
