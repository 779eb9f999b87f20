import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseLogLevels } from "./log-levels.js";
import { createLogSystem, formatHumanLine } from "./logger.js";
import { AlephError } from "@aleph/plugin-sdk";
import { serializeError } from "@aleph/plugin-sdk";
import { redactError, redactFields, SecretRedactor } from "@aleph/plugin-sdk";

const settle = () => new Promise((r) => setTimeout(r, 50));

describe("log system", () => {
  it("writes JSON lines to gateway.log and agent-loop modules to agent.log", async () => {
    const dir = mkdtempSync(join(tmpdir(), "aleph-log-"));
    const logs = createLogSystem({ logDir: dir, stderr: false, color: false, levels: parseLogLevels("info"), redactor: new SecretRedactor() });
    logs.get("kernel").info("booted", { plugins: 2 });
    logs.get("agent").info("turn", { n: 1 });
    logs.flush();
    await settle();
    const gateway = readFileSync(join(dir, "gateway.log"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    const agent = readFileSync(join(dir, "agent.log"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(gateway).toEqual([expect.objectContaining({ module: "kernel", msg: "booted", plugins: 2, level: 30 })]);
    expect(agent).toEqual([expect.objectContaining({ module: "agent", msg: "turn" })]);
  });

  it("applies per-module levels from ALEPH_LOG", async () => {
    const dir = mkdtempSync(join(tmpdir(), "aleph-log-"));
    const logs = createLogSystem({ logDir: dir, stderr: false, color: false, levels: parseLogLevels("warn,kernel=debug"), redactor: new SecretRedactor() });
    logs.get("kernel").debug("kernel debug");
    logs.get("kernel").child("host").debug("host debug");
    logs.get("hello").info("plugin info");
    logs.get("hello").warn("plugin warn");
    logs.flush();
    await settle();
    const msgs = readFileSync(join(dir, "gateway.log"), "utf8").trim().split("\n").map((l) => JSON.parse(l).msg);
    expect(msgs).toEqual(["kernel debug", "host debug", "plugin warn"]);
  });

  it("never writes a secret: neither secret-named fields nor known secret values inside messages", async () => {
    const dir = mkdtempSync(join(tmpdir(), "aleph-log-"));
    const redactor = new SecretRedactor();
    redactor.set(["sk-live-abcdef123456"]);
    const logs = createLogSystem({ logDir: dir, stderr: false, color: false, levels: parseLogLevels("info"), redactor });
    logs.get("kernel").info("calling with sk-live-abcdef123456 now", { api_key: "other-key-xyz", nested: { token: "tok-987654" }, safe: "visible" });
    logs.flush();
    await settle();
    const text = readFileSync(join(dir, "gateway.log"), "utf8");
    expect(text).not.toMatch(/sk-live-abcdef123456|other-key-xyz|tok-987654/);
    expect(text).toMatch(/visible/);
    expect(text).toMatch(/\[redacted\]/);
  });

  it("writes an error given as a field with its type, message, code, stack and cause (not as {}), secrets scrubbed", async () => {
    const dir = mkdtempSync(join(tmpdir(), "aleph-log-"));
    const redactor = new SecretRedactor();
    redactor.set(["sk-live-abcdef123456"]);
    const logs = createLogSystem({ logDir: dir, stderr: false, color: false, levels: parseLogLevels("info"), redactor });
    const cause = Object.assign(new Error("socket closed"), { code: "ECONNRESET" });
    const error = new TypeError("bad key sk-live-abcdef123456", { cause });
    logs.get("kernel").error("call failed", { error, attempts: [{ error: new RangeError("too far") }] });
    logs.flush();
    await settle();
    const line = JSON.parse(readFileSync(join(dir, "gateway.log"), "utf8").trim()) as Record<string, any>;
    expect(line.error).toMatchObject({
      type: "TypeError",
      message: "bad key [redacted]",
      stack: expect.stringMatching(/^TypeError: bad key \[redacted\]\n\s+at /),
      cause: { type: "Error", message: "socket closed", code: "ECONNRESET", stack: expect.stringContaining("socket closed") },
    });
    expect(line.attempts[0].error).toMatchObject({ type: "RangeError", message: "too far" });
    expect(JSON.stringify(line)).not.toContain("sk-live-abcdef123456");
  });

  it("writes a line whose fields JSON cannot hold (a cycle, a BigInt) or that are no object, instead of failing", () => {
    const dir = mkdtempSync(join(tmpdir(), "aleph-log-"));
    const logs = createLogSystem({ logDir: dir, stderr: false, color: false, levels: parseLogLevels("info"), redactor: new SecretRedactor() });
    const loop: Record<string, unknown> = { name: "a" };
    loop.self = loop;
    logs.get("kernel").info("cyclic", { loop, big: 12n, twice: [{ x: 1 }, { x: 1 }] });
    logs.get("kernel").info("odd", "just a string" as unknown as Record<string, unknown>);
    logs.get("kernel").info("impostor", { level: 60, time: "1970-01-01T00:00:00.000Z", module: "other", pid: 1 });
    logs.flush();
    const [cyclic, odd, impostor] = readFileSync(join(dir, "gateway.log"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(impostor).toMatchObject({ msg: "impostor", level: 30, module: "kernel", pid: process.pid });
    expect(impostor.time).not.toBe("1970-01-01T00:00:00.000Z");
    expect(cyclic).toMatchObject({ msg: "cyclic", loop: { name: "a", self: { name: "a" } }, big: "12", twice: [{ x: 1 }, { x: 1 }] });
    expect(JSON.stringify(cyclic.loop)).toContain("[Circular]"); // the copy stops at depth 8, the cycle past it
    expect(odd).toMatchObject({ msg: "odd", fields: "just a string", module: "kernel" });
  });

  it("keeps its files private, drops lines after close, and never throws when a file cannot be written", async () => {
    const dir = mkdtempSync(join(tmpdir(), "aleph-log-"));
    const logs = createLogSystem({ logDir: dir, stderr: false, color: false, levels: parseLogLevels("info"), redactor: new SecretRedactor() });
    logs.get("kernel").info("first");
    logs.flush();
    expect(statSync(join(dir, "gateway.log")).mode & 0o777).toBe(0o600);
    await logs.close();
    logs.get("kernel").info("after close");
    await settle();
    expect(readFileSync(join(dir, "gateway.log"), "utf8")).not.toContain("after close");

    const readOnly = mkdtempSync(join(tmpdir(), "aleph-log-"));
    chmodSync(readOnly, 0o500);
    const blocked = createLogSystem({ logDir: readOnly, stderr: false, color: false, levels: parseLogLevels("info"), redactor: new SecretRedactor() });
    expect(() => {
      blocked.get("kernel").info("nowhere to go");
      blocked.flush();
    }).not.toThrow();
    chmodSync(readOnly, 0o700);
  });

  it("writes the lines logged just before the process exits", () => {
    const dir = mkdtempSync(join(tmpdir(), "aleph-log-"));
    const script = `
      const { createLogSystem, parseLogLevels } = await import(${JSON.stringify(new URL("../dist/index.js", import.meta.url).href)});
      const { SecretRedactor } = await import("@aleph/plugin-sdk");
      const logs = createLogSystem({ logDir: ${JSON.stringify(dir)}, stderr: false, color: false, levels: parseLogLevels("info"), redactor: new SecretRedactor() });
      logs.get("kernel").info("last words");
      process.exit(3);`;
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: new URL("..", import.meta.url), encoding: "utf8" });
    expect(run.status, run.stderr).toBe(3);
    expect(readFileSync(join(dir, "gateway.log"), "utf8")).toContain("last words");
  });

  it("keeps an AlephError's code, fix, file and line in the serialised error", () => {
    const error = new AlephError("ALEPH_E_SETUP", "it broke", { fix: "mend it", file: "/p/index.js", line: 3 });
    expect(serializeError(error)).toMatchObject({ type: "AlephError", message: "it broke", code: "ALEPH_E_SETUP", fix: "mend it", file: "/p/index.js", line: 3 });
  });
});

describe("redaction helpers", () => {
  it("scrubs a secret with quotes and backslashes however deep it is JSON-escaped (a logged request body inside a log line)", () => {
    const secret = 'pa"ss\\word-123';
    const redactor = new SecretRedactor();
    redactor.set([secret]);
    const once = JSON.stringify({ password: secret });
    const twice = JSON.stringify({ body: once });
    const thrice = JSON.stringify({ line: twice });
    for (const text of [secret, once, twice, thrice]) {
      const scrubbed = redactor.redact(text);
      expect(scrubbed).toContain("[redacted]");
      expect(scrubbed).not.toContain("word-123");
    }
  });

  it("redacts secret-named keys at any depth and leaves the rest", () => {
    expect(redactFields({ api_key: "a", apiKey: "b", authToken: "c", password: "d", list: [{ secret: "e" }], port: 1 })).toEqual({
      api_key: "[redacted]",
      apiKey: "[redacted]",
      authToken: "[redacted]",
      password: "[redacted]",
      list: [{ secret: "[redacted]" }],
      port: 1,
    });
  });

  it("copies a failure with its message, fix and stack scrubbed, and leaves the plugin's cause behind", () => {
    const redactor = new SecretRedactor();
    redactor.set(["tok-abcdef-987"]);
    const original = new AlephError("ALEPH_E_SETUP", "failed with tok-abcdef-987", { fix: "rotate tok-abcdef-987", file: "/p/aleph_plugin.toml", line: 2, cause: new Error("tok-abcdef-987") });
    const copy = redactError(original, (t) => redactor.redact(t));
    expect(copy).toMatchObject({ code: "ALEPH_E_SETUP", message: "failed with [redacted]", fix: "rotate [redacted]", file: "/p/aleph_plugin.toml", line: 2 });
    expect(copy.cause).toBeUndefined();
    expect(copy.stack).toMatch(/^AlephError: failed with \[redacted\]/);
  });

  it("scrubs every string of a listing, at any depth, and leaves other values alone", () => {
    const redactor = new SecretRedactor();
    redactor.set(["tok-abcdef-987"]);
    const listing = { plugins: [{ id: "p", generation: 2, error: { message: "x tok-abcdef-987 y" } }], ok: true };
    expect(redactor.redactStrings(listing)).toEqual({ plugins: [{ id: "p", generation: 2, error: { message: "x [redacted] y" } }], ok: true });
    expect(listing.plugins[0]!.error.message).toBe("x tok-abcdef-987 y");
  });

  it("prints an error field on a human line as type, message, code and the frame that threw", () => {
    const line = formatHumanLine(
      JSON.stringify({ level: 50, time: "2026-01-01T10:11:12.345Z", module: "hello", msg: "failed", error: { type: "Error", message: "boom", code: "E_X", stack: "Error: boom\n    at setup (/p/index.js:3:9)\n    at run (x.js:1:1)" } }),
      false,
    );
    expect(line).toBe("10:11:12.345 ERROR [hello] failed error=Error: boom [E_X] (at setup (/p/index.js:3:9))\n");
  });

  it("formats a human line with module, message and fields", () => {
    const line = formatHumanLine(JSON.stringify({ level: 40, time: "2026-01-01T10:11:12.345Z", module: "kernel", msg: "careful", pid: 1, n: 2 }), false);
    expect(line).toBe("10:11:12.345 WARN  [kernel] careful n=2\n");
  });
});
