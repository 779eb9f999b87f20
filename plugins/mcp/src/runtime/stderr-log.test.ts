import { describe, expect, it } from "vitest";
import type { Logger } from "@aleph/plugin-sdk";
import { backoffDelay } from "./backoff.js";
import { StderrLog } from "./stderr-log.js";

function recorder() {
  const lines: Array<{ msg: string; fields?: Record<string, unknown> }> = [];
  const log: Logger = { trace() {}, debug() {}, info: (msg, fields) => void lines.push({ msg, fields }), warn() {}, error() {}, child: () => log };
  return { log, lines };
}

describe("a server's stderr", () => {
  it("is logged line by line, long lines cut, at most 20 lines per 10 s; the last 10 are kept", () => {
    const { log, lines } = recorder();
    const stderr = new StderrLog(log, "s");
    stderr.write("first line\nsecond ");
    stderr.write("half\n" + "x".repeat(2000) + "\n");
    expect(lines.map((l) => l.fields?.line)).toEqual(["first line", "second half", `${"x".repeat(500)}… [1500 more characters]`]);
    for (let i = 0; i < 50; i++) stderr.write(`flood ${i}\n`);
    expect(lines).toHaveLength(20);
    expect(stderr.tail()).toHaveLength(10);
    expect(stderr.tail().at(-1)).toBe("flood 49");
  });
});

describe("the restart backoff", () => {
  it("doubles from 1 s and stops at 30 s", () => {
    expect([0, 1, 2, 3, 4, 5, 6, 10].map(backoffDelay)).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });
});
