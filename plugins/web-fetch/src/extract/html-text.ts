import type { HtmlToTextOptions } from "html-to-text";

/*
 * HTML to the text a model reads: html-to-text (imported here, on the first HTML page, never at
 * kernel start) with no line wrapping, headings in their own case, links kept as "text [url]" with
 * the URL made absolute against the page's address, images and scripts left out. The <title> is
 * returned apart: html-to-text renders the body only.
 */

export interface HtmlText {
  title?: string;
  text: string;
}

export async function htmlToText(html: string, pageUrl: string): Promise<HtmlText> {
  const { convert } = await import("html-to-text");
  const absolute = (path: string): string => {
    try {
      return new URL(path, pageUrl).href;
    } catch {
      return path;
    }
  };
  const options: HtmlToTextOptions = {
    wordwrap: false,
    // Our input is already capped by max_bytes; html-to-text's own cap would only console.warn.
    limits: { maxInputLength: 0 },
    selectors: [
      { selector: "a", options: { pathRewrite: absolute, hideLinkHrefIfSameAsText: true } },
      { selector: "img", format: "skip" },
      ...(["h1", "h2", "h3", "h4", "h5", "h6"] as const).map((selector) => ({ selector, options: { uppercase: false } })),
      { selector: "table", options: { uppercaseHeaderCells: false } },
    ],
  };
  const text = collapseBlankLines(convert(html, options));
  const title = titleOf(html, convert);
  return title ? { title, text } : { text };
}

/** Where a <title> is looked for: it belongs in <head>, near the top. */
const TITLE_SEARCH_CHARS = 64 * 1024;

/**
 * The page's <title>, entities decoded and whitespace collapsed; undefined when it has none. Found
 * with one forward search for each end rather than one lazy pattern: on a hostile page ("<title" a
 * million times, never closed) the pattern would rescan to the end from each one.
 */
function titleOf(html: string, convert: (html: string, options?: HtmlToTextOptions) => string): string | undefined {
  const head = html.slice(0, TITLE_SEARCH_CHARS);
  const open = head.search(/<title[\s>]/i);
  if (open < 0) return undefined;
  const start = head.indexOf(">", open) + 1;
  const close = /<\/title/gi;
  close.lastIndex = start;
  const end = close.exec(head)?.index;
  if (end === undefined) return undefined;
  const title = convert(head.slice(start, end), { wordwrap: false }).replace(/\s+/g, " ").trim();
  return title === "" ? undefined : title;
}

/** Three or more line breaks become two: layout tables and empty blocks leave long gaps. */
function collapseBlankLines(text: string): string {
  return text.replace(/\n[ \t]*(\n[ \t]*){2,}/g, "\n\n").trim();
}
