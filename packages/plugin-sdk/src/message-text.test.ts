import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { isCommandUsageError } from "./commands.js";
import { contentText, messageContent, printable, readTextInput, timeText } from "./message-text.js";

const dir = () => mkdtempSync(join(tmpdir(), "aleph-message-text-"));
const noStdin = Readable.from([]);

/** A piped stdin carrying `text`. */
const piped = (text: string) => Readable.from([Buffer.from(text)]);

/** A stdin that is a terminal, as an interactive shell has it. */
function terminal(): NodeJS.ReadableStream {
  return Object.assign(Readable.from([]), { isTTY: true });
}

async function usageMessage(work: Promise<unknown>): Promise<string> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isCommandUsageError(error), String(error)).toBe(true);
  return (error as Error).message;
}

describe("messageContent", () => {
  it("takes --content as text, and as a JSON value with --json-content", async () => {
    expect(await messageContent({ options: { content: "hello" }, cwd: "/", stdin: noStdin })).toBe("hello");
    expect(await messageContent({ options: { content: "", "json-content": false }, cwd: "/", stdin: noStdin })).toBe("");
    expect(await messageContent({ options: { content: '{"a":[1,2]}', "json-content": true }, cwd: "/", stdin: noStdin })).toEqual({ a: [1, 2] });
  });

  it("reads --content-file from a file relative to cwd, or from piped stdin for -", async () => {
    const cwd = dir();
    writeFileSync(join(cwd, "c.txt"), "é from a file\n");
    expect(await messageContent({ options: { "content-file": "c.txt" }, cwd, stdin: noStdin })).toBe("é from a file\n");
    expect(await messageContent({ options: { "content-file": "-", "json-content": true }, cwd, stdin: piped("[1,2]") })).toEqual([1, 2]);
  });

  it("refuses neither, both, and non-JSON text under --json-content as usage errors saying what to do", async () => {
    expect(await usageMessage(messageContent({ options: {}, cwd: "/", stdin: noStdin }))).toBe("--content <text> (or --content-file <file|->) is required");
    expect(await usageMessage(messageContent({ options: { content: "x", "content-file": "f" }, cwd: "/", stdin: noStdin }))).toBe("give --content or --content-file, not both");
    expect(await usageMessage(messageContent({ options: { content: "hello there", "json-content": true }, cwd: "/", stdin: noStdin }))).toMatch(
      /^--content is not valid JSON: .*\(--json-content reads it as JSON\); quote plain text as a JSON string/,
    );
  });
});

describe("readTextInput", () => {
  it("names a missing file with ALEPH_E_NOT_FOUND and the argument it came from", async () => {
    const cwd = dir();
    await expect(readTextInput({ cwd, stdin: noStdin }, "nope.jsonl", "the export to import")).rejects.toMatchObject({
      code: "ALEPH_E_NOT_FOUND",
      message: expect.stringMatching(/^cannot read .*nope\.jsonl \(the export to import\): ENOENT/),
    });
  });

  it("refuses - when stdin is a terminal (it would wait for input nobody means to type)", async () => {
    expect(await usageMessage(readTextInput({ cwd: "/", stdin: terminal() }, "-", "--content-file"))).toMatch(/reads stdin, which is a terminal here/);
  });

  it("says stdin is the source of piped text", async () => {
    expect(await readTextInput({ cwd: "/", stdin: piped("abc") }, "-", "x")).toEqual({ text: "abc", source: "stdin" });
  });
});

describe("terminal text", () => {
  it("escapes control characters but keeps newlines and tabs", () => {
    expect(printable("a\u001b[31mred\u0007\tb\nc\u009b")).toBe("a\\u001b[31mred\\u0007\tb\nc\\u009b");
  });

  it("shows content as text or compact JSON, later lines indented", () => {
    expect(contentText("two\nlines")).toBe("two\n    lines");
    expect(contentText({ type: "status", ok: true })).toBe('{"type":"status","ok":true}');
    expect(contentText(42)).toBe("42");
  });

  it("prints times as ISO 8601 UTC to the second, and - for none", () => {
    expect(timeText(Date.UTC(2026, 0, 2, 3, 4, 5, 678))).toBe("2026-01-02T03:04:05Z");
    expect(timeText("2026-01-02T03:04:05.678Z")).toBe("2026-01-02T03:04:05Z");
    expect(timeText(null)).toBe("-");
    expect(timeText("not a time")).toBe("not a time");
  });
});
