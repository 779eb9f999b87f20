import { describe, expect, it } from "vitest";
import { isAlephError } from "@aleph/plugin-sdk";
import { parseSoul } from "./parse-soul.js";
import { renderSection, sectionKey, splitSections } from "./sections.js";
import { DEFAULT_SOUL, SOUL_TEMPLATE } from "./default-soul.js";

const FILE = "/w/soul.md";
const SEED = `---
relationship: mentor
expertise:
- Rust
- System design
---
# Identity
I am Aleph, your AI programming partner.
## Directives
- Be helpful and encouraging
- Explain concepts clearly
- Suggest best practices
## Anti-Patterns
- Never be condescending
- Never make up information
`;

const plain = (text: string) => {
  const soul = parseSoul(text, FILE);
  return {
    frontmatter: Object.fromEntries(Object.entries(soul.frontmatter).map(([k, e]) => [k, e.value])),
    sections: soul.sections.map((s) => [s.level, s.title, s.body, s.line]),
  };
};

describe("parseSoul", () => {
  it("reads the seed's soul.md: frontmatter keys and three sections with their lines", () => {
    expect(plain(SEED)).toEqual({
      frontmatter: { relationship: "mentor", expertise: ["Rust", "System design"] },
      sections: [
        [1, "Identity", "I am Aleph, your AI programming partner.", 7],
        [2, "Directives", "- Be helpful and encouraging\n- Explain concepts clearly\n- Suggest best practices", 9],
        [2, "Anti-Patterns", "- Never be condescending\n- Never make up information", 13],
      ],
    });
  });

  it("strips a BOM and reads CRLF (and lone CR) line ends with the same lines as LF", () => {
    const lf = parseSoul(SEED, FILE);
    expect(parseSoul(`\uFEFF${SEED.replace(/\n/g, "\r\n")}`, FILE)).toEqual(lf);
    expect(parseSoul(SEED.replace(/\n/g, "\r"), FILE)).toEqual(lf);
  });

  it("reads an empty file as an empty soul, and a whitespace-only one too", () => {
    expect(plain("")).toEqual({ frontmatter: {}, sections: [] });
    expect(plain("\n\n  \n")).toEqual({ frontmatter: {}, sections: [] });
  });

  it("reads a file with only frontmatter, and an empty frontmatter", () => {
    expect(plain("---\nrelationship: peer\n---\n")).toEqual({ frontmatter: { relationship: "peer" }, sections: [] });
    expect(plain("---\nrelationship: peer\n---")).toEqual({ frontmatter: { relationship: "peer" }, sections: [] });
    expect(plain("---\n---\n# A\nx")).toEqual({ frontmatter: {}, sections: [[1, "A", "x", 3]] });
  });

  it("reads a file with only a preamble as the section titled \"\" at level 0, at its first text line", () => {
    expect(plain("\n\nBe brief.\nAlways.\n\n")).toEqual({ frontmatter: {}, sections: [[0, "", "Be brief.\nAlways.", 3]] });
    expect(plain("---\na: 1\n---\n\nIntro\n# Identity\nMe")).toEqual({
      frontmatter: { a: 1 },
      sections: [
        [0, "", "Intro", 5],
        [1, "Identity", "Me", 6],
      ],
    });
  });

  it("treats --- only on the very first line as frontmatter; later --- lines are Markdown rules", () => {
    expect(plain("\n---\na: 1\n---\n")).toEqual({ frontmatter: {}, sections: [[0, "", "---\na: 1\n---", 2]] });
    expect(plain("---\na: 1\n---\n# A\nx\n---\ny")).toEqual({ frontmatter: { a: 1 }, sections: [[1, "A", "x\n---\ny", 4]] });
  });

  it("refuses frontmatter that is never closed, at line 1", () => {
    try {
      parseSoul("---\nrelationship: mentor\n# Identity\nMe\n", FILE);
      expect.unreachable();
    } catch (error) {
      expect(isAlephError(error) && [error.code, error.file, error.line, error.message]).toEqual([
        "ALEPH_E_IDENTITY",
        FILE,
        1,
        "the frontmatter opened on line 1 is never closed",
      ]);
    }
  });

  it("reports frontmatter errors with the file's line numbers (after a BOM and CRLF too)", () => {
    try {
      parseSoul("\uFEFF---\r\na: 1\r\nb c\r\n---\r\n", FILE);
      expect.unreachable();
    } catch (error) {
      expect(isAlephError(error) && error.line).toBe(3);
    }
  });

  it("folds a heading repeated in one file into one section, bodies in file order", () => {
    expect(plain("# Directives\n- a\n# Other\nz\n## directives\n- b\n")).toEqual({
      frontmatter: {},
      sections: [
        [1, "Directives", "- a\n\n- b", 1],
        [1, "Other", "z", 3],
      ],
    });
  });

  it("parses the built-in default and the init template", () => {
    expect(plain(DEFAULT_SOUL).sections.map((s) => s[1])).toEqual(["Identity", "Directives", "Anti-Patterns"]);
    expect(plain(DEFAULT_SOUL).frontmatter).toEqual({});
    const template = plain(SOUL_TEMPLATE);
    expect(Object.keys(template.frontmatter)).toEqual(["relationship", "expertise"]);
    expect(template.sections.map((s) => s[1])).toEqual(["Identity", "Directives", "Anti-Patterns"]);
  });
});

describe("splitSections", () => {
  const split = (text: string) => splitSections(text.split("\n"), 1).map((s) => [s.level, s.title, s.body]);

  it("does not split at headings inside ``` or ~~~ fences, long fences and tilde fences included", () => {
    const text = [
      "# Directives",
      "```markdown",
      "# not a heading",
      "~~~",
      "## still code",
      "```",
      "~~~~",
      "# code again",
      "```",
      "~~~~~",
      "# Anti-Patterns",
      "- x",
    ].join("\n");
    expect(split(text)).toEqual([
      [1, "Directives", "```markdown\n# not a heading\n~~~\n## still code\n```\n~~~~\n# code again\n```\n~~~~~"],
      [1, "Anti-Patterns", "- x"],
    ]);
  });

  it("runs an unclosed fence to the end (CommonMark), and inline ``` code is not a fence", () => {
    expect(split("# A\n```\n# B\nx")).toEqual([[1, "A", "```\n# B\nx"]]);
    expect(split("# A\n``` a`b\n# B\nx")).toEqual([
      [1, "A", "``` a`b"],
      [1, "B", "x"],
    ]);
  });

  it("follows CommonMark's ATX rules: levels 1-6, a space after the hashes, closing hashes, ≤3 spaces", () => {
    expect(split("#Tag\n####### seven\n    # indented code\n   ### Three ###\nbody\n# C#\n#\n######   Six  ")).toEqual([
      [0, "", "#Tag\n####### seven\n    # indented code"],
      [3, "Three", "body"],
      [1, "C#", ""],
      [1, "", ""],
      [6, "Six", ""],
    ]);
  });

  it("keys sections by heading text: case, whitespace and level do not count; the preamble never collides", () => {
    expect(sectionKey({ title: "Anti-Patterns", level: 2 })).toBe(sectionKey({ title: "  anti-patterns ", level: 1 }));
    expect(sectionKey({ title: "Anti  Patterns", level: 2 })).toBe(sectionKey({ title: "anti patterns", level: 3 }));
    expect(sectionKey({ title: "Anti-Patterns", level: 2 })).not.toBe(sectionKey({ title: "Anti Patterns", level: 2 }));
    expect(sectionKey({ title: "", level: 0 })).not.toBe(sectionKey({ title: "", level: 1 }));
  });

  it("renders a section as written and closes a fence its file left open", () => {
    expect(renderSection({ title: "Directives", level: 2, body: "- a" })).toBe("## Directives\n- a");
    expect(renderSection({ title: "", level: 0, body: "intro" })).toBe("intro");
    expect(renderSection({ title: "Code", level: 1, body: "````ts\nx" })).toBe("# Code\n````ts\nx\n````");
  });
});
