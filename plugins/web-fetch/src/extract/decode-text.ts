import { TextDecoder } from "node:util";

/*
 * Bytes to text in the right character set, as a browser picks it: a byte order mark first, then
 * the Content-Type charset, then (HTML) a <meta charset> near the top, else UTF-8. An unknown
 * charset name falls back to UTF-8 rather than failing the fetch: the text may be a little off, the
 * page still arrives. A body cut by the byte cap may end inside a character: that partial character
 * is dropped, not turned into a replacement mark.
 */

export interface DecodeOptions {
  charset?: string | undefined;
  html: boolean;
  /** The body was cut short (its last character may be incomplete). */
  truncated: boolean;
}

export function decodeText(body: Buffer, options: DecodeOptions): string {
  const label = bomCharset(body) ?? options.charset ?? (options.html ? metaCharset(body) : undefined) ?? "utf-8";
  return decoderFor(label).decode(body, { stream: options.truncated });
}

function decoderFor(label: string): TextDecoder {
  try {
    return new TextDecoder(label);
  } catch {
    return new TextDecoder("utf-8");
  }
}

function bomCharset(body: Buffer): string | undefined {
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return "utf-8";
  if (body[0] === 0xfe && body[1] === 0xff) return "utf-16be";
  if (body[0] === 0xff && body[1] === 0xfe) return "utf-16le";
  return undefined;
}

/** The charset a page declares in its first 1024 bytes: <meta charset="x"> or <meta http-equiv … content="…; charset=x">. */
export function metaCharset(body: Buffer): string | undefined {
  const head = body.subarray(0, 1024).toString("latin1");
  return /<meta\b[^>]*?charset\s*=\s*["']?\s*([\w.:-]+)/i.exec(head)?.[1];
}
