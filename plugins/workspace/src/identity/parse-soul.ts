import { AlephError } from "@aleph/plugin-sdk";
import { parseFrontmatter } from "./frontmatter.js";
import { mergeDuplicateSections, splitSections } from "./sections.js";
import type { ParsedSoul } from "./types.js";

const FENCE = /^---[ \t]*$/;

/**
 * Parses a soul: optional frontmatter between `---` lines at the very top, then Markdown
 * sections. A byte-order mark is dropped and CRLF (or a lone CR) ends a line like LF, so line
 * numbers match what an editor shows. Throws AlephError ALEPH_E_IDENTITY naming `file` and the
 * line for frontmatter it cannot read; the body itself is free text and cannot fail.
 */
export function parseSoul(text: string, file: string): ParsedSoul {
  const lines = text.replace(/^\uFEFF/, "").split(/\r\n|\r|\n/);
  let bodyStart = 0;
  let frontmatter: ParsedSoul["frontmatter"] = Object.create(null);
  if (FENCE.test(lines[0]!)) {
    const close = lines.findIndex((line, i) => i > 0 && FENCE.test(line));
    if (close < 0) {
      throw new AlephError("ALEPH_E_IDENTITY", "the frontmatter opened on line 1 is never closed", {
        file,
        line: 1,
        fix: "end the frontmatter with a line holding only ---, or remove the --- on line 1",
      });
    }
    frontmatter = parseFrontmatter(lines.slice(1, close), file, 2);
    bodyStart = close + 1;
  }
  const sections = mergeDuplicateSections(splitSections(lines.slice(bodyStart), bodyStart + 1));
  return { file, frontmatter, sections };
}
