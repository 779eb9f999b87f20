/*
 * Splits a reply into messages Telegram accepts. Telegram counts a message's length in Unicode code
 * points (4096 at most) and trims white space at both ends, and refuses a blank message. A part
 * ends, in order of preference, at a paragraph break, a line break, a space, or — for a run of
 * text without any — at a grapheme boundary, so a surrogate pair (an emoji) or a letter with its
 * combining accent is never cut in two. A break only counts when it leaves the part at least half
 * full, so one early blank line does not turn a long reply into many short messages.
 */

export const TELEGRAM_MESSAGE_LIMIT = 4096;

const BREAKS = [/\n[ \t]*\n\s*/g, /\n\s*/g, /[ \t]+/g];

export function splitMessage(text: string, limit = TELEGRAM_MESSAGE_LIMIT): string[] {
  if (!Number.isInteger(limit) || limit < 2) throw new RangeError(`splitMessage: a limit of at least 2 code points, not ${limit}`);
  const parts: string[] = [];
  let rest = text.trim();
  while (rest !== "") {
    const window = headCodePoints(rest, limit);
    if (window.length === rest.length) {
      parts.push(rest);
      break;
    }
    const { end, next } = breakIn(rest, window);
    const part = rest.slice(0, end).trimEnd();
    if (part !== "") parts.push(part);
    rest = rest.slice(next).trimStart();
  }
  return parts;
}

/** The first `count` code points of `text` (all of it when shorter), as a string. */
function headCodePoints(text: string, count: number): string {
  let units = 0;
  let points = 0;
  while (units < text.length && points < count) {
    const code = text.codePointAt(units)!;
    units += code > 0xffff ? 2 : 1;
    points++;
  }
  return text.slice(0, units);
}

/**
 * Where the part that fits in `window` ends (`end`, UTF-16 index) and where the next one starts
 * (`next`: after the white space of the break).
 */
function breakIn(text: string, window: string): { end: number; next: number } {
  const enough = Math.floor(window.length / 2);
  for (const pattern of BREAKS) {
    let best: { end: number; next: number } | undefined;
    for (const match of window.matchAll(pattern)) {
      if (match.index > 0) best = { end: match.index, next: match.index + match[0].length };
    }
    // A break running up to the window's end may continue past it: the next part starts after it anyway.
    if (best && best.end >= enough) return best;
  }
  const end = lastGraphemeBoundary(text, window.length);
  return { end, next: end };
}

/**
 * The last grapheme boundary at or before `index` (UTF-16; itself a code point boundary), or
 * `index` when no boundary is within reach (one "grapheme" longer than 64 units: then a cut
 * between code points it is).
 */
function lastGraphemeBoundary(text: string, index: number): number {
  // Segment only around the cut: the grapheme that straddles it decides. The slice must not start
  // inside a surrogate pair, and its own start is a boundary only when it is the text's.
  let from = Math.max(0, index - 64);
  if (from > 0 && isLowSurrogate(text.charCodeAt(from))) from--;
  let boundary = 0;
  for (const { index: start } of graphemes().segment(text.slice(from, index + 64))) {
    const absolute = from + start;
    if (absolute > index) break;
    if (start > 0) boundary = absolute;
  }
  return boundary > 0 ? boundary : index;
}

const isLowSurrogate = (unit: number) => unit >= 0xdc00 && unit <= 0xdfff;

let segmenter: Intl.Segmenter | undefined;
const graphemes = () => (segmenter ??= new Intl.Segmenter(undefined, { granularity: "grapheme" }));
