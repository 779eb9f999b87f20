import { open } from "node:fs/promises";
import { BINARY_SNIFF_BYTES } from "./limits.js";

/*
 * A file is binary when its head holds a NUL byte — git's rule. Text in UTF-16 is called binary
 * too; the tools read UTF-8 only.
 */

export function isBinaryBuffer(head: Uint8Array): boolean {
  return head.subarray(0, BINARY_SNIFF_BYTES).includes(0);
}

export async function isBinaryFile(path: string): Promise<boolean> {
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.alloc(BINARY_SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, BINARY_SNIFF_BYTES, 0);
    return isBinaryBuffer(buffer.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}
