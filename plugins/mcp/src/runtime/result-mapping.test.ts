import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { extensionFor, MediaStore } from "./media-store.js";
import { mapToolResult } from "./result-mapping.js";

// A 1×1 PNG.
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

describe("mapToolResult", () => {
  let base: string;
  let media: MediaStore;
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), "mcp-media-"));
    media = new MediaStore(join(base, "media"));
  });
  afterAll(() => rm(base, { recursive: true, force: true }));

  it("gives text-only results as the text itself, blocks joined by newlines", async () => {
    expect(await mapToolResult({ content: [{ type: "text", text: "Echo: hi" }] }, media)).toMatchObject({ isError: false, value: "Echo: hi" });
    expect((await mapToolResult({ content: [{ type: "text", text: "a" }, { type: "text", text: "b" }] }, media)).value).toBe("a\nb");
    expect((await mapToolResult({ content: [] }, media)).value).toBe("");
  });

  it("writes an image to a private file named by its content and returns a reference in place", async () => {
    const outcome = await mapToolResult({ content: [{ type: "text", text: "look:" }, { type: "image", data: PNG, mimeType: "image/png" }] }, media);
    const value = outcome.value as { content: Array<Record<string, unknown>> };
    expect(value.content[0]).toEqual({ type: "text", text: "look:" });
    expect(value.content[1]).toMatchObject({ type: "image", mimeType: "image/png", bytes: Buffer.from(PNG, "base64").length, path: expect.stringMatching(/media\/[0-9a-f]{64}\.png$/) });
    const path = value.content[1]!.path as string;
    expect(await readFile(path)).toEqual(Buffer.from(PNG, "base64"));
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(base, "media"))).mode & 0o777).toBe(0o700);
    // The same image again is the same file.
    const again = (await mapToolResult({ content: [{ type: "image", data: PNG, mimeType: "image/png" }] }, media)).value as { content: Array<Record<string, unknown>> };
    expect(again.content[0]!.path).toBe(path);
  });

  it("maps audio, embedded resources (text and binary) and resource links, and passes structuredContent on", async () => {
    const outcome = await mapToolResult(
      {
        content: [
          { type: "audio", data: Buffer.from("RIFF").toString("base64"), mimeType: "audio/wav" },
          { type: "resource", resource: { uri: "demo://text/1", mimeType: "text/plain", text: "hello" } },
          { type: "resource", resource: { uri: "demo://blob/2", mimeType: "application/gzip", blob: Buffer.from("gz").toString("base64") } },
          { type: "resource_link", uri: "demo://text/3", name: "Text 3", description: "a link", mimeType: "text/plain", annotations: { audience: ["user"] } },
        ],
        structuredContent: { temperature: 36 },
      },
      media,
    );
    expect(outcome.value).toEqual({
      content: [
        { type: "audio", mimeType: "audio/wav", path: expect.stringMatching(/\.wav$/), bytes: 4 },
        { type: "resource", uri: "demo://text/1", mimeType: "text/plain", text: "hello" },
        { type: "resource", uri: "demo://blob/2", mimeType: "application/gzip", path: expect.stringMatching(/\.gz$/), bytes: 2 },
        { type: "resource_link", uri: "demo://text/3", name: "Text 3", description: "a link", mimeType: "text/plain" },
      ],
      structuredContent: { temperature: 36 },
    });
  });

  it("keeps structuredContent beside a text-only content (no plain string then)", async () => {
    const outcome = await mapToolResult({ content: [{ type: "text", text: '{"t":1}' }], structuredContent: { t: 1 } }, media);
    expect(outcome.value).toEqual({ content: [{ type: "text", text: '{"t":1}' }], structuredContent: { t: 1 } });
  });

  it("reports isError with the tool's own text", async () => {
    expect(await mapToolResult({ content: [{ type: "text", text: "Invalid resourceId: 0" }], isError: true }, media)).toMatchObject({ isError: true, errorText: "Invalid resourceId: 0" });
    expect((await mapToolResult({ content: [], isError: true }, media)).errorText).toMatch(/without saying why/);
  });

  it("passes an old-style {toolResult} answer on", async () => {
    expect((await mapToolResult({ toolResult: "legacy" }, media)).value).toBe("legacy");
  });

  it("derives file extensions from the MIME type, never from anything that could be a path", () => {
    expect(extensionFor("image/jpeg")).toBe("jpg");
    expect(extensionFor("image/x-icon")).toBe("bin");
    expect(extensionFor("image/heic")).toBe("heic");
    expect(extensionFor("image/../../etc")).toBe("bin");
    expect(extensionFor(undefined)).toBe("bin");
  });
});
