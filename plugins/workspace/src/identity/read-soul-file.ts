import { readFile, stat } from "node:fs/promises";
import { isUtf8 } from "node:buffer";
import { AlephError, errorMessage, isAlephError } from "@aleph/plugin-sdk";

/**
 * Largest soul file read, in bytes. A soul goes into every system prompt: a file this large is
 * a mistake (a log pasted in, a wrong path), and reading it whole would cost memory and tokens.
 */
export const MAX_SOUL_BYTES = 256 * 1024;

function tooLarge(file: string, size: number, maxBytes: number): AlephError {
  return new AlephError("ALEPH_E_IDENTITY", `the soul file is ${size} bytes, over the ${maxBytes}-byte limit`, {
    file,
    fix: "keep a soul short: move reference material into skills or memory",
  });
}

/** Checks a session override, which arrives as a string rather than a file, against the same cap. */
export function checkSoulSize(text: string, label: string, maxBytes = MAX_SOUL_BYTES): void {
  const size = Buffer.byteLength(text, "utf8");
  if (size > maxBytes) throw tooLarge(label, size, maxBytes);
}

/**
 * Reads a soul file as strict UTF-8. Returns undefined when there is no such file (a missing
 * layer is normal); throws AlephError ALEPH_E_IDENTITY when it exists but cannot be used: not a
 * regular file, unreadable, over `maxBytes`, or not valid UTF-8 (with the line of the first bad
 * byte). Decoding is strict because a replacement character silently put into a system prompt
 * is harder to notice than an error.
 */
export async function readSoulFile(file: string, maxBytes = MAX_SOUL_BYTES): Promise<string | undefined> {
  let bytes: Buffer;
  try {
    // stat first: opening a FIFO or a device to find out what it is could block or never end.
    const info = await stat(file);
    if (!info.isFile()) {
      throw new AlephError("ALEPH_E_IDENTITY", "the soul path exists but is not a regular file", {
        file,
        fix: "make it a Markdown file, or remove it",
      });
    }
    if (info.size > maxBytes) throw tooLarge(file, info.size, maxBytes);
    bytes = await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    if (isAlephError(error)) throw error;
    throw new AlephError("ALEPH_E_IDENTITY", `cannot read the soul file: ${errorMessage(error)}`, {
      file,
      fix: "check the file's permissions",
      cause: error,
    });
  }
  if (bytes.length > maxBytes) throw tooLarge(file, bytes.length, maxBytes); // grew since stat
  if (!isUtf8(bytes)) {
    const offset = firstInvalidUtf8(bytes);
    throw new AlephError("ALEPH_E_IDENTITY", `the soul file is not valid UTF-8 (first bad byte at offset ${offset})`, {
      file,
      line: lineAt(bytes, offset),
      fix: "save the file as UTF-8",
    });
  }
  return bytes.toString("utf8");
}

function lineAt(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

/** Offset of the first byte that breaks UTF-8 (overlong forms and surrogates included). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let length: number;
    let min: number;
    let code: number;
    if (b >= 0xc2 && b <= 0xdf) [length, min, code] = [2, 0x80, b & 0x1f];
    else if (b >= 0xe0 && b <= 0xef) [length, min, code] = [3, 0x800, b & 0x0f];
    else if (b >= 0xf0 && b <= 0xf4) [length, min, code] = [4, 0x10000, b & 0x07];
    else return i;
    for (let k = 1; k < length; k++) {
      const next = bytes[i + k];
      if (next === undefined || (next & 0xc0) !== 0x80) return i;
      code = (code << 6) | (next & 0x3f);
    }
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return i;
    i += length;
  }
  return bytes.length;
}
