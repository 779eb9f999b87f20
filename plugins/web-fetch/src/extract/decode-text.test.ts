import { describe, expect, it } from "vitest";
import { decodeText, metaCharset } from "./decode-text.js";

describe("decodeText", () => {
  it("decodes UTF-8 by default and drops its byte order mark", () => {
    expect(decodeText(Buffer.from("héllo ✓"), { html: false, truncated: false })).toBe("héllo ✓");
    expect(decodeText(Buffer.from("\uFEFFhi"), { html: false, truncated: false })).toBe("hi");
  });

  it("uses the Content-Type charset, then a page's <meta charset>; a byte order mark wins over both", () => {
    const latin1 = Buffer.from("caf\xe9", "latin1");
    expect(decodeText(latin1, { charset: "iso-8859-1", html: false, truncated: false })).toBe("café");
    // 0xE1 is α in ISO-8859-7 (Greek), and not UTF-8 on its own.
    const page = Buffer.concat([Buffer.from('<html><head><meta charset="iso-8859-7"></head><body>'), Buffer.from([0xe1]), Buffer.from("</body></html>")]);
    expect(decodeText(page, { html: true, truncated: false })).toContain("<body>α</body>");
    expect(decodeText(page, { charset: "utf-8", html: true, truncated: false })).toContain("<body>\uFFFD</body>");
    // Not HTML: the meta tag is just text.
    expect(decodeText(page, { html: false, truncated: false })).toContain("<body>\uFFFD</body>");
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("hi", "utf16le")]);
    expect(decodeText(utf16, { charset: "utf-8", html: false, truncated: false })).toBe("hi");
  });

  it("falls back to UTF-8 for an unknown charset name", () => {
    expect(decodeText(Buffer.from("ok ✓"), { charset: "x-no-such-charset", html: false, truncated: false })).toBe("ok ✓");
  });

  it("drops a character cut in half by the byte cap instead of showing a replacement mark", () => {
    const cut = Buffer.from("ab✓").subarray(0, 4); // ✓ is 3 bytes: 1 of them kept
    expect(decodeText(cut, { html: false, truncated: true })).toBe("ab");
    expect(decodeText(cut, { html: false, truncated: false })).toBe("ab\uFFFD");
  });

  it("finds the charset of <meta http-equiv> too", () => {
    expect(metaCharset(Buffer.from('<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">'))).toBe("Shift_JIS");
    expect(metaCharset(Buffer.from("<p>no meta</p>"))).toBeUndefined();
  });
});
