/*
 * Plugins bring their own commands (issue 10): a manifest's [[commands]] make `aleph --help`,
 * `aleph <command> --help` and usage errors work without importing plugin code; the handler runs
 * against a running kernel or a kernel started for the command with only what it needs.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, test } from "vitest";
import { spawn } from "node:child_process";
import { CLI, createWorkspace, eventually, runCli, runCliJson, sleep, startReadyKernel, type Workspace } from "./support/aleph.js";
import { writePlugin } from "./support/plugins.js";

/** A user plugin "greeter" with a `greet` command; importing its entry writes `imported.txt` beside it. */
function greeter(ws: Workspace, options: { setupThrows?: boolean; extraCommand?: string } = {}): string {
  const dir = join(ws.userDir, "greeter");
  writePlugin(dir, {
    id: "greeter",
    provides: ["greeter"],
    pluginExtra: "",
    manifest: [
      "[plugin]",
      'id = "greeter"',
      'version = "1.0.0"',
      'entry = "index.js"',
      "",
      "[services]",
      'provides = ["greeter"]',
      "",
      "[[commands]]",
      'name = "greet"',
      'summary = "Greet someone by name"',
      'args = [{ name = "who", summary = "whom to greet", required = true }]',
      'options = [{ name = "times", type = "integer", min = 1, max = 3, default = 1, summary = "How often" }, { name = "shout", type = "boolean", summary = "In capitals" }]',
      options.extraCommand ?? "",
    ].join("\n"),
    code: `import { appendFileSync } from "node:fs";
appendFileSync(new URL("./imported.txt", import.meta.url), "x");
export default {
  setup(ctx) {
    ${options.setupThrows ? 'throw new Error("greeter setup exploded");' : ""}
    ctx.services.provide("greeter", { greet: (who) => "Hello, " + who + " from pid " + process.pid });
  },
  commands: {
    async greet(cmd) {
      const greeting = await cmd.kernel.service("greeter").greet(cmd.args.who);
      for (let i = 0; i < cmd.options.times; i++) cmd.out((cmd.options.shout ? greeting.toUpperCase() : greeting) + " [" + cmd.kernel.mode + "]\\n");
    },
  },
};
`,
  });
  return dir;
}

describe("plugin commands", () => {
  test("help and usage errors come from the manifest: no plugin module is imported", async () => {
    const ws = createWorkspace();
    const dir = greeter(ws);
    // A loader hook preloaded into the CLI writes down every module it loads.
    const record = join(ws.base, "loaded.txt");
    writeFileSync(record, "");
    writeFileSync(join(ws.base, "recorder.mjs"), `import { appendFileSync } from "node:fs";\nexport async function load(url, context, next) { appendFileSync(${JSON.stringify(record)}, url + "\\n"); return next(url, context); }\n`);
    writeFileSync(join(ws.base, "register.mjs"), `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(join(ws.base, "recorder.mjs")).href)});\n`);
    const env = { NODE_OPTIONS: `--import ${pathToFileURL(join(ws.base, "register.mjs")).href}` };

    const help = await runCli(ws, ["--help"], { env });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Plugin commands:[\s\S]*greet <who>\s+Greet someone by name/);
    expect(help.stdout).toMatch(/sessions show <key>\s+Show a session/);

    const commandHelp = await runCli(ws, ["greet", "--help"], { env });
    expect(commandHelp.code).toBe(0);
    expect(commandHelp.stdout).toContain("Usage: aleph greet <who> [options]");
    expect(commandHelp.stdout).toMatch(/--times <N>\s+How often \(default 1\)/);
    expect(commandHelp.stdout).toContain('From the "greeter" plugin (user).');

    const sessionsHelp = await runCli(ws, ["help", "sessions", "show"], { env });
    expect(sessionsHelp.code).toBe(0);
    expect(sessionsHelp.stdout).toContain("Usage: aleph sessions show <key>");

    const bad = await runCli(ws, ["greet", "Ada", "--times", "9"], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^aleph greet: --times takes a whole number from 1 to 3, not "9"\nRun `aleph greet --help` for usage\./);
    const typo = await runCli(ws, ["greet", "Ada", "--shot"], { env });
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("Unknown option '--shot' (did you mean --shout?)");
    const missing = await runCli(ws, ["greet"], { env });
    expect(missing).toMatchObject({ code: 2, stderr: expect.stringContaining("expected whom to greet") });
    const badSessions = await runCli(ws, ["sessions", "show", "agent:main:main", "--limit", "0"], { env });
    expect(badSessions.code).toBe(2);

    expect(existsSync(join(dir, "imported.txt")), "the greeter's entry was never imported").toBe(false);
    const loaded = readFileSync(record, "utf8").split("\n").filter(Boolean);
    expect(loaded.some((url) => url.includes("/apps/cli/dist/")), "the recorder sees the CLI load").toBe(true);
    expect(loaded.filter((url) => /\/plugins\/(sessions|chat|tools|workspace)\/dist\//.test(url))).toEqual([]);
  });

  test("a user plugin's command runs without a kernel (in-process) and against a running one (remote)", { timeout: 60_000 }, async () => {
    const ws = createWorkspace();
    greeter(ws);
    const offline = await runCli(ws, ["greet", "Ada", "--times", "2"]);
    expect(offline.stderr).toBe("");
    expect(offline.code).toBe(0);
    const lines = offline.stdout.trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^Hello, Ada from pid \d+ \[in-process\]$/);

    const kernel = await startReadyKernel(ws);
    try {
      const online = await runCli(ws, ["greet", "Bob", "--shout"]);
      expect(online.code).toBe(0);
      // The service ran in the kernel's process, the handler in the CLI's.
      expect(online.stdout).toBe(`HELLO, BOB FROM PID ${kernel.kernelPid()} [remote]\n`);
    } finally {
      await kernel.stop();
    }
  });

  test("a command whose plugin fails says why; another plugin's broken setup does not stop sessions append", async () => {
    const ws = createWorkspace();
    greeter(ws, { setupThrows: true });
    const failed = await runCli(ws, ["greet", "Ada"]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/^aleph greet: ALEPH_E_DEPENDENCY: the "greeter" service is down: plugin "greeter" failed with ALEPH_E_SETUP: greeter setup exploded/m);

    // The minimal kernel for `sessions append` loads the sessions plugin alone: the broken greeter is not even imported.
    const appended = await runCli(ws, ["sessions", "append", "agent:main:main", "--role", "user", "--content", "hi"]);
    expect(appended.stderr).toBe("");
    expect(appended).toMatchObject({ code: 0, stdout: "1\n" });
  });

  test("two plugins declaring one command: the stronger source wins and both are reported", async () => {
    const ws = createWorkspace();
    greeter(ws);
    writePlugin(join(ws.projectDir, "rival"), {
      id: "rival",
      manifest: '[plugin]\nid = "rival"\nversion = "1.0.0"\nentry = "index.js"\n\n[[commands]]\nname = "greet"\nsummary = "A rival greeting"\n\n[[commands]]\nname = "status loud"\nsummary = "reserved"\n',
      code: "export default { setup() {}, commands: { greet(cmd) { cmd.out('rival\\n'); } } };\n",
    });
    const result = await runCli(ws, ["greet", "Ada"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Hello, Ada/);
    expect(result.stderr).toMatch(/warning: ALEPH_E_COMMAND_CONFLICT: "greet" is declared by plugin "greeter" \(user, .*\) and by plugin "rival" \(project, .*\); "greeter" wins \(higher-precedence source\)/);
    const help = await runCli(ws, ["--help"]);
    expect(help.stderr).toMatch(/ALEPH_E_COMMAND_CONFLICT: plugin "rival" \(project, .*\) declares "status loud", but "status" is a kernel command word/);
    expect(help.stdout).not.toContain("status loud");
    // doctor reports both declarations that are ignored.
    const doctor = await runCliJson(ws, ["doctor", "--json"], 1);
    const commands = doctor.findings.filter((f: { check: string }) => f.check === "commands");
    expect(commands.map((f: { message: string }) => f.message)).toEqual([
      expect.stringMatching(/"greet" is declared by plugin "greeter" .* and by plugin "rival"/),
      expect.stringMatching(/plugin "rival" .* declares "status loud"/),
    ]);
    // Disabling the stronger plugin hands its command to the other.
    ws.writeConfig('[extensions]\ndisabled = ["greeter"]\n');
    const handedOver = await runCli(ws, ["greet"]);
    expect(handedOver.stdout, handedOver.stderr).toBe("rival\n");
    expect(handedOver.stderr).toMatch(/"rival" wins \("greeter" does not load\)/);
  });

  test("a command of a plugin whose manifest is not TOML gets the manifest's error, not \"unknown command\"", async () => {
    const ws = createWorkspace();
    writePlugin(join(ws.userDir, "mender"), { id: "mender", manifest: '[plugin]\nid = "mender"\nversion = "1.0.0"\nentry = "index.js"\n\n[[commands]\nname = "mend"\nsummary = "Mend"\n' });
    const result = await runCli(ws, ["mend"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/"mend" is no command now; the plugin in .*mender may declare it, but its manifest is not valid TOML: .*aleph_plugin\.toml/);
    const typo = await runCli(ws, ["mendx"]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('unknown command "mendx"');
  });

  test("a disabled plugin's command says so instead of \"unknown command\"", async () => {
    const ws = createWorkspace({ config: '[extensions]\ndisabled = ["greeter"]\n' });
    greeter(ws);
    const result = await runCli(ws, ["greet", "Ada"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/"aleph greet" belongs to plugin "greeter", which does not load: it is disabled in .*config\.toml \(\[extensions\] disabled\)/);
  });

  test("services, events and suggestions for the plugin author", { timeout: 60_000 }, async () => {
    const ws = createWorkspace();
    greeter(ws);
    const call = await runCli(ws, ["services", "call", "greeter", "greet", '["Cy"]']);
    expect(call).toMatchObject({ code: 0 });
    expect(JSON.parse(call.stdout)).toMatch(/^Hello, Cy from pid \d+$/);
    const noMethod = await runCli(ws, ["services", "call", "greeter", "wave"]);
    expect(noMethod.code).toBe(1);
    expect(noMethod.stderr).toContain('service "greeter" has no method "wave"');
    const unknown = await runCli(ws, ["sesions", "list"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Did you mean `aleph sessions list`?");
    const tailOffline = await runCli(ws, ["events", "tail"]);
    expect(tailOffline.code).toBe(1);
    expect(tailOffline.stderr).toMatch(/needs a running kernel/);

    const kernel = await startReadyKernel(ws);
    try {
      const list = await runCli(ws, ["services", "list", "--json"]);
      expect(JSON.parse(list.stdout)).toContainEqual(expect.objectContaining({ id: "greeter", boundTo: "greeter" }));
      const since = kernel.mark();
      const emitted = await runCli(ws, ["events", "emit", "greeting.sent", '{"to":"Ada"}']);
      expect(emitted).toMatchObject({ code: 0, stdout: "Emitted greeting.sent\n" });
      const event = await kernel.waitForEvent("greeting.sent", () => true, 5_000, since);
      expect(event.payload).toEqual({ to: "Ada" });
      const spoof = await runCli(ws, ["events", "emit", "plugin.loaded", "{}"]);
      expect(spoof.code).toBe(2);

      // events tail streams over the control socket until Ctrl-C.
      const tail = spawn(process.execPath, [CLI, "events", "tail", "--filter", "greeting."], { env: ws.env, cwd: ws.cwd });
      let streamed = "";
      tail.stdout.setEncoding("utf8").on("data", (d: string) => (streamed += d));
      const exited = new Promise<number | null>((resolve) => tail.on("exit", (code) => resolve(code)));
      await eventually(async () => {
        await runCli(ws, ["events", "emit", "greeting.sent", '{"to":"Tail"}']);
        await runCli(ws, ["events", "emit", "other.thing"]);
        expect(streamed).toContain('{"event":"greeting.sent","payload":{"to":"Tail"}}');
      }, 15_000, 300);
      expect(streamed).not.toContain("other.thing");
      tail.kill("SIGINT");
      expect(await exited).toBe(0);
    } finally {
      await kernel.stop();
    }
  });

  test("Ctrl-C cancels the calls a command has in flight; a handler that ignores it is left behind with its kernel stopped; exit 130", { timeout: 60_000 }, async () => {
    const ws = createWorkspace();
    const disposed = join(ws.base, "disposed.txt");
    writePlugin(join(ws.userDir, "waiter"), {
      id: "waiter",
      manifest: [
        "[plugin]",
        'id = "waiter"',
        'version = "1.0.0"',
        'entry = "index.js"',
        "",
        "[services]",
        'provides = ["waiter"]',
        "",
        "[[commands]]",
        'name = "waiter call"',
        'summary = "Wait on a service call that never answers"',
        "",
        "[[commands]]",
        'name = "waiter drop"',
        'summary = "Wait on a call the service dropped"',
        "",
        "[[commands]]",
        'name = "waiter stubborn"',
        'summary = "Ignore Ctrl-C"',
      ].join("\n"),
      code: `import { appendFileSync } from "node:fs";
export default {
  setup(ctx) {
    ctx.services.provide("waiter", { hang: () => new Promise((resolve) => setTimeout(resolve, 600_000)), drop: () => new Promise(() => {}), ping: () => "pong" });
    ctx.onDispose(() => appendFileSync(${JSON.stringify(disposed)}, "disposed\\n"));
  },
  commands: {
    async "waiter call"(cmd) {
      cmd.out(await cmd.kernel.service("waiter").ping() + "\\n");
      await cmd.kernel.service("waiter").hang();
    },
    async "waiter drop"(cmd) {
      await cmd.kernel.service("waiter").drop();
    },
    async "waiter stubborn"(cmd) {
      cmd.out(await cmd.kernel.service("waiter").ping() + "\\n");
      setInterval(() => {}, 1000);
      await new Promise(() => {});
    },
  },
};
`,
    });
    const interrupt = async (command: string, sigints: number) => {
      const child = spawn(process.execPath, [CLI, "waiter", command], { env: ws.env, cwd: ws.cwd });
      let stdout = "";
      let stderr = "";
      child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
      child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
      await eventually(() => expect(stdout).toBe("pong\n"), 20_000, 50); // its kernel is up, the handler waits
      const sent = performance.now();
      for (let i = 0; i < sigints; i++) {
        if (i > 0) await sleep(300); // two signals sent at once arrive as one
        child.kill("SIGINT");
      }
      const code = await exited;
      return { code, stderr, ms: performance.now() - sent };
    };
    // The cancelled call ends the handler at once; its kernel was stopped (the plugin disposed).
    const cancelled = await interrupt("call", 1);
    expect(cancelled.code, cancelled.stderr).toBe(130);
    expect(cancelled.stderr).toContain('aleph: "waiter call" interrupted');
    expect(cancelled.ms).toBeLessThan(2_500);
    expect(readFileSync(disposed, "utf8")).toBe("disposed\n");
    // A handler that ignores the signal: left behind after the grace period, the kernel still stopped.
    const stubborn = await interrupt("stubborn", 1);
    expect(stubborn.code, stubborn.stderr).toBe(130);
    expect(stubborn.ms).toBeGreaterThanOrEqual(2_900);
    expect(readFileSync(disposed, "utf8")).toBe("disposed\ndisposed\n");
    // A second Ctrl-C does not wait for the grace period.
    const twice = await interrupt("stubborn", 2);
    expect(twice.code, twice.stderr).toBe(130);
    expect(twice.ms).toBeLessThan(2_500);
    expect(readFileSync(disposed, "utf8")).toBe("disposed\ndisposed\ndisposed\n");
    // A call the service dropped (nothing left to wait on): a clear failure, not a silent exit 0.
    const dropped = await runCli(ws, ["waiter", "drop"]);
    expect(dropped.code).toBe(1);
    expect(dropped.stderr).toContain("the command stopped without finishing");
  });

  test("a daemon plugin runs only under aleph start, never in a kernel started for a command", { timeout: 60_000 }, async () => {
    const ws = createWorkspace();
    const marker = join(ws.base, "daemon-ran.txt");
    writePlugin(join(ws.userDir, "listener"), {
      id: "listener",
      pluginExtra: 'daemon = true\n\n[[commands]]\nname = "listener port"\nsummary = "The port it listens on"\n',
      provides: ["listener"],
      code: `import { appendFileSync } from "node:fs";\nexport default { setup(ctx) { appendFileSync(${JSON.stringify(marker)}, "ran\\n"); ctx.services.provide("listener", { port: () => 4242 }); }, commands: { async "listener port"(cmd) { cmd.out(String(await cmd.kernel.service("listener").port()) + "\\n"); } } };\n`,
    });
    // Its command without a kernel running: the plugin is not started for it, and the error says where it runs.
    const offline = await runCli(ws, ["listener", "port"]);
    expect(offline.code).toBe(1);
    expect(offline.stderr).toMatch(/plugin "listener" is a daemon: it runs only in the kernel of `aleph start`[\s\S]*start it/);
    for (const args of [["sessions", "list"], ["services", "list"]]) {
      const result = await runCli(ws, args);
      expect(result.code, args.join(" ")).toBe(0);
    }
    expect(existsSync(marker), "no command kernel loaded the daemon").toBe(false);
    const kernel = await startReadyKernel(ws);
    try {
      expect(readFileSync(marker, "utf8")).toBe("ran\n");
      const online = await runCli(ws, ["listener", "port"]);
      expect(online.stdout, online.stderr).toBe("4242\n");
    } finally {
      await kernel.stop();
    }
  });
});
