/** The line that replaces what was cut, naming the file and both sizes in characters. */
export function truncationMarker(name: string, kept: number, original: number): string {
  return `[… truncated: ${name} kept ${kept} of ${original} characters …]`;
}

export interface TrimResult {
  /** The kept text followed by the marker on its own line; the whole text when nothing was cut. */
  content: string;
  /** Characters of the original kept (the marker not counted). */
  kept: number;
  originalChars: number;
  truncated: boolean;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/**
 * Cuts `text` so that the result, marker included, is at most `limit` characters (JS string
 * length, i.e. UTF-16 code units). The head is kept: the files are written top-down, most
 * important first. The cut moves back to the end of a line when one ends within the last 10% of
 * the window; otherwise it falls mid-line, one unit earlier if it would split a surrogate pair.
 *
 * A pure function of its arguments, so the same file and limit give the same bytes every time.
 * When even the marker does not fit, the result is empty: the limit is a hard cap, and the caller
 * still sees `truncated` with `kept: 0`.
 */
export function trimToLimit(name: string, text: string, limit: number): TrimResult {
  const originalChars = text.length;
  if (originalChars <= limit) return { content: text, kept: originalChars, originalChars, truncated: false };
  // Room for "\n" + marker. `kept` will be <= limit, so its digits, and the marker, can only be shorter.
  const window = limit - 1 - truncationMarker(name, limit, originalChars).length;
  if (window <= 0) {
    const alone = truncationMarker(name, 0, originalChars);
    return { content: alone.length <= limit ? alone : "", kept: 0, originalChars, truncated: true };
  }
  let end = window;
  const newline = text.lastIndexOf("\n", window - 1);
  if (newline >= 0 && newline + 1 >= window - Math.floor(window / 10)) end = newline + 1;
  else if (isHighSurrogate(text.charCodeAt(end - 1))) end -= 1;
  const head = text.slice(0, end);
  const separator = head === "" || head.endsWith("\n") ? "" : "\n";
  return { content: head + separator + truncationMarker(name, end, originalChars), kept: end, originalChars, truncated: true };
}
