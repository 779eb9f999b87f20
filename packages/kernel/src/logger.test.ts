import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseLogLevels } from "./log-levels.js";
import { createLogSystem, formatHumanLine } from "./logger.js";
import { redactFields, SecretRedactor } from "./redact.js";

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
});

describe("redaction helpers", () => {
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

  it("formats a human line with module, message and fields", () => {
    const line = formatHumanLine(JSON.stringify({ level: 40, time: "2026-01-01T10:11:12.345Z", module: "kernel", msg: "careful", pid: 1, n: 2 }), false);
    expect(line).toBe("10:11:12.345 WARN  [kernel] careful n=2\n");
  });
});
