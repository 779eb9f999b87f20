// Turning a workspace file's bytes into prompt text, and deciding when that text counts as empty.

/** Fatal off: a stray invalid byte becomes U+FFFD instead of hiding the whole file. ignoreBOM off: a leading BOM is stripped. */
const decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: false });

/** UTF-8 bytes to a string, BOM stripped. */
export function decodeUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/**
 * Files whose comment-only content means "nothing to do". For HEARTBEAT.md (as in xopc: "empty or
 * comment-only skips calls") the seeded template is all comments, so a fresh agent runs no
 * heartbeat until a task is written. In other files a "# Heading" is content.
 */
const COMMENT_ONLY_IS_EMPTY = new Set(["HEARTBEAT.md"]);

/** An HTML comment, or an unterminated one running to the end (as CommonMark renders it). */
const HTML_COMMENT = /<!--[\s\S]*?(?:-->|$)/g;

/** True when the text is blank, or only HTML comments and lines starting with "#". */
export function isCommentOnly(text: string): boolean {
  return text
    .replace(HTML_COMMENT, "")
    .split("\n")
    .every((line) => {
      const trimmed = line.trim();
      return trimmed === "" || trimmed.startsWith("#");
    });
}

/**
 * Whether a file's text counts as intentionally empty: blank (whitespace only) for any file, and
 * comment-only for the files where comments mean "nothing" (HEARTBEAT.md, matched by base name).
 */
export function isIntentionallyEmpty(name: string, text: string): boolean {
  if (text.trim() === "") return true;
  const base = name.slice(name.lastIndexOf("/") + 1);
  return COMMENT_ONLY_IS_EMPTY.has(base) && isCommentOnly(text);
}
