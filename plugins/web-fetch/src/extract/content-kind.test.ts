import { describe, expect, it } from "vitest";
import { parseContentType, sniffBody } from "./content-kind.js";

describe("parseContentType", () => {
  it("reads the media type and charset", () => {
    expect(parseContentType("text/html; charset=UTF-8")).toEqual({ mediaType: "text/html", charset: "UTF-8", kind: "html" });
    expect(parseContentType('Text/Plain;Charset="iso-8859-1"')).toEqual({ mediaType: "text/plain", charset: "iso-8859-1", kind: "text" });
    expect(parseContentType(undefined)).toEqual({ mediaType: "" });
    expect(parseContentType("  ")).toEqual({ mediaType: "" });
  });

  it("sorts types into html, text and binary", () => {
    const kinds: Record<string, string> = {
      "text/html": "html",
      "application/xhtml+xml": "html",
      "text/plain": "text",
      "text/markdown": "text",
      "text/csv": "text",
      "application/json": "text",
      "application/ld+json": "text",
      "application/problem+json": "text",
      "application/xml": "text",
      "application/rss+xml": "text",
      "application/javascript": "text",
      "application/x-yaml": "text",
      "image/png": "binary",
      "application/pdf": "binary",
      "application/octet-stream": "binary",
      "application/zip": "binary",
      "video/mp4": "binary",
    };
    for (const [type, kind] of Object.entries(kinds)) expect(parseContentType(type).kind, type).toBe(kind);
  });
});

describe("sniffBody", () => {
  it("calls a body with a NUL byte binary, one that opens like a page html, the rest text", () => {
    expect(sniffBody(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]))).toBe("binary");
    expect(sniffBody(Buffer.from("  <!DOCTYPE html><html><body>x</body></html>"))).toBe("html");
    expect(sniffBody(Buffer.from("\uFEFF<html lang=en>"))).toBe("html");
    expect(sniffBody(Buffer.from("just words"))).toBe("text");
    expect(sniffBody(Buffer.alloc(0))).toBe("text");
  });
});
