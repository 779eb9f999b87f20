import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Logger } from "@aleph/plugin-sdk";
import { SessionOverrides } from "./session-overrides.js";

function recordingLog(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const log: Logger & { warnings: string[] } = {
    warnings,
    trace() {},
    debug() {},
    info() {},
    warn: (msg) => void warnings.push(msg),
    error() {},
    child: () => log,
  };
  return log;
}

const fileIn = () => join(mkdtempSync(join(tmpdir(), "aleph-overrides-")), "data", "session-overrides.json");

describe("session soul overrides", () => {
  it("outlive the process that set them, until cleared", () => {
    const file = fileIn();
    const first = new SessionOverrides(file, recordingLog());
    first.set("agent:main:main", "You are terse.");
    first.set("agent:main:telegram:dm:42", "You speak French.");
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const second = new SessionOverrides(file, recordingLog());
    expect(second.get("agent:main:main")).toBe("You are terse.");
    second.set("agent:main:main", null);
    expect(new SessionOverrides(file, recordingLog()).get("agent:main:main")).toBeUndefined();
    expect(new SessionOverrides(file, recordingLog()).get("agent:main:telegram:dm:42")).toBe("You speak French.");
  });

  it("moves a damaged file aside (nothing overwritten) and starts empty", () => {
    const file = fileIn();
    new SessionOverrides(file, recordingLog()).set("k", "v");
    writeFileSync(file, '{"version":1,"overrides":{"k":"v"'); // torn
    const log = recordingLog();
    const overrides = new SessionOverrides(file, log);
    expect(overrides.get("k")).toBeUndefined();
    expect(log.warnings.join()).toMatch(/damaged/);
    const aside = readdirSync(join(file, "..")).filter((f) => f.includes(".damaged-"));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(file, "..", aside[0]!), "utf8")).toContain('"k":"v"');
  });

  it("clearing an override that is not set writes nothing", () => {
    const file = fileIn();
    new SessionOverrides(file, recordingLog()).set("none", null);
    expect(() => statSync(file)).toThrow();
  });
});
