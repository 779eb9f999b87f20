/*
 * One output stream of a command, kept within a byte cap: its first half and its last half, so
 * the model sees how it began and how it ended (the error is usually at the end), with a marker in
 * between saying how much was cut. Memory stays bounded however much the command writes.
 */

export class CappedOutput {
  readonly #headLimit: number;
  readonly #tailLimit: number;
  readonly #maxBytes: number;
  #head: Buffer[] = [];
  #headBytes = 0;
  /** The newest bytes past the head, at most #tailLimit of them once trimmed. */
  #tail: Buffer[] = [];
  #tailBytes = 0;
  #total = 0;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
    this.#headLimit = Math.ceil(maxBytes / 2);
    this.#tailLimit = maxBytes - this.#headLimit;
  }

  /** Bytes the stream carried in all. */
  get totalBytes(): number {
    return this.#total;
  }

  get truncated(): boolean {
    return this.#total > this.#maxBytes;
  }

  push(chunk: Buffer): void {
    this.#total += chunk.length;
    let rest = chunk;
    if (this.#headBytes < this.#headLimit) {
      const taken = rest.subarray(0, this.#headLimit - this.#headBytes);
      this.#head.push(taken);
      this.#headBytes += taken.length;
      rest = rest.subarray(taken.length);
    }
    if (rest.length === 0) return;
    this.#tail.push(rest);
    this.#tailBytes += rest.length;
    // Drop whole chunks that fall out of the tail window; the window's edge is cut in text().
    while (this.#tail.length > 1 && this.#tailBytes - this.#tail[0]!.length >= this.#tailLimit) {
      this.#tailBytes -= this.#tail.shift()!.length;
    }
  }

  /** The stream as text: UTF-8 decoded leniently (invalid bytes become U+FFFD), the middle cut when over the cap. */
  text(): string {
    const head = Buffer.concat(this.#head);
    const tail = Buffer.concat(this.#tail);
    if (!this.truncated) return Buffer.concat([head, tail]).toString("utf8");
    // Cut at character boundaries, so no character is split into replacement marks by the cut itself.
    const headEnd = completeCharsEnd(head);
    const tailWindow = tail.subarray(tail.length - this.#tailLimit);
    const tailStart = forwardToCharStart(tailWindow, 0);
    const kept = headEnd + (tailWindow.length - tailStart);
    const marker = `\n[… ${this.#total - kept} bytes cut from the middle: the stream had ${this.#total} bytes and shell returns at most ${this.#maxBytes} (its first and last part); to see it all, redirect the output to a file and read that in parts …]\n`;
    return head.subarray(0, headEnd).toString("utf8") + marker + tailWindow.subarray(tailStart).toString("utf8");
  }
}

const isContinuationByte = (byte: number): boolean => (byte & 0xc0) === 0x80;

/** The length of `bytes` without an incomplete UTF-8 character at its end (the cut fell inside it). */
function completeCharsEnd(bytes: Buffer): number {
  for (let back = 1; back <= Math.min(4, bytes.length); back++) {
    const byte = bytes[bytes.length - back]!;
    if (isContinuationByte(byte)) continue;
    const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return length > back ? bytes.length - back : bytes.length;
  }
  return bytes.length; // not UTF-8 at the end: nothing to keep whole
}

/** The first character start at or after `start` (skips at most 3 continuation bytes). */
function forwardToCharStart(bytes: Buffer, start: number): number {
  let at = start;
  for (let i = 0; i < 3 && at < bytes.length && isContinuationByte(bytes[at]!); i++) at++;
  return at;
}
