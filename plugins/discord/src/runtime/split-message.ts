/*
 * A reply longer than Discord's limit (2000 characters a message) goes out as several messages.
 * Cut where a reader expects a break — a paragraph, else a line, else a word — never inside a
 * surrogate pair, and keep Markdown code fences balanced: a part that ends inside a ``` block
 * closes it, and the next part opens it again with the same info string, so every part renders
 * as code where the whole did.
 *
 * Lengths are counted in UTF-16 code units (JavaScript's `length`), which is never less than
 * Discord's count of characters: a part that fits here fits there.
 */

export const DISCORD_MESSAGE_LIMIT = 2000;

/** A fence line: up to three spaces, then ``` or ~~~ (three or more), then an info string. */
const FENCE_LINE = /^ {0,3}(`{3,}|~{3,})(.*)$/;
/** An opener longer than this is not repeated whole in the next part (only its fence). */
const MAX_REOPEN = 64;
/** Longer "fences" are not treated as fences (no real text has them; they would eat the room). */
const MAX_MARKER = 16;

interface OpenFence {
  /** The fence itself: ``` or ~~~ (or longer). */
  marker: string;
  /** The line that opened it, e.g. "```ts", repeated at the start of the next part. */
  opener: string;
}

/** Splits `text` into parts of at most `limit` characters; whitespace-only text gives no part. */
export function splitMessage(text: string, limit = DISCORD_MESSAGE_LIMIT): string[] {
  if (limit < 100) throw new RangeError(`a message limit of ${limit} leaves too little room for code fences`);
  const parts: string[] = [];
  let rest = text.replace(/^(?:[ \t]*\n)+/, "").trimEnd();
  let reopen = "";
  while (rest.length > 0) {
    const head = reopen ? `${reopen}\n` : "";
    if (head.length + rest.length <= limit) {
      parts.push(head + rest);
      break;
    }
    let room = limit - head.length;
    let piece = cutPiece(rest, room);
    let open = openFenceAt(head + piece.body);
    if (open && head.length + piece.body.length + 1 + open.marker.length > limit) {
      // Closing the fence needs room too: cut again, a little shorter.
      room -= 1 + open.marker.length;
      piece = cutPiece(rest, room);
      open = openFenceAt(head + piece.body);
    }
    let next = rest.slice(piece.next).replace(/^\n+/, "");
    let part = head + piece.body;
    if (open) {
      const closing = closingLineAtStart(next, open);
      if (closing !== undefined && part.length + 1 + closing.line.length <= limit) {
        // The text closes the block right here: end the part with its own closing line.
        part += `\n${closing.line}`;
        next = next.slice(closing.length).replace(/^\n+/, "");
        open = undefined;
      } else {
        part += `\n${open.marker}`;
      }
    }
    parts.push(part);
    reopen = open ? (open.opener.length <= Math.min(MAX_REOPEN, limit / 4) ? open.opener : open.marker) : "";
    rest = next;
  }
  return parts;
}

/** Where to cut `text` so the part before holds at most `room` characters: `body` is the part, `next` where the rest begins. */
function cutPiece(text: string, room: number): { body: string; next: number } {
  const window = text.slice(0, room + 1);
  const half = Math.floor(room / 2);
  const candidates: [number, number][] = [
    [window.lastIndexOf("\n\n", room - 1), 2],
    [window.lastIndexOf("\n", room), 1],
  ];
  for (const [at, width] of candidates) {
    if (at >= half) {
      const body = text.slice(0, at).trimEnd();
      if (body.length > 0) return { body, next: at + width };
    }
  }
  const space = lastWhitespace(window, room);
  if (space > 0) {
    const body = text.slice(0, space).trimEnd();
    if (body.length > 0) return { body, next: space + 1 };
  }
  // One unbroken run longer than the room: cut it, but never between the halves of a surrogate pair.
  let end = room;
  const before = text.charCodeAt(end - 1);
  if (before >= 0xd800 && before <= 0xdbff) end -= 1;
  return { body: text.slice(0, end), next: end };
}

function lastWhitespace(window: string, room: number): number {
  for (let index = Math.min(room, window.length - 1); index > 0; index--) {
    const code = window.charCodeAt(index);
    if (code === 0x20 || code === 0x09 || code === 0x0a) return index;
  }
  return -1;
}

/** The fence still open at the end of `text`, if any. */
function openFenceAt(text: string): OpenFence | undefined {
  let open: OpenFence | undefined;
  for (const line of text.split("\n")) {
    const match = FENCE_LINE.exec(line);
    if (!match) continue;
    const marker = match[1]!;
    if (marker.length > MAX_MARKER) continue;
    if (!open) open = { marker, opener: line.trim() };
    else if (closes(open, marker, match[2]!)) open = undefined;
  }
  return open;
}

/** A closing fence: the same character, at least as long, nothing after it. */
function closes(open: OpenFence, marker: string, after: string): boolean {
  return marker[0] === open.marker[0] && marker.length >= open.marker.length && after.trim() === "";
}

/** The line that closes `open`, when `text` starts with one. */
function closingLineAtStart(text: string, open: OpenFence): { line: string; length: number } | undefined {
  const end = text.indexOf("\n");
  const line = end === -1 ? text : text.slice(0, end);
  const match = FENCE_LINE.exec(line);
  if (!match || !closes(open, match[1]!, match[2]!)) return undefined;
  return { line: line.trimEnd(), length: line.length };
}
