import { describe, expect, it } from "vitest";
import { isAlephError } from "@aleph/plugin-sdk";
import { parseFrontmatter, renderEntry, renderScalar } from "./frontmatter.js";

const FILE = "/w/soul.md";
/** Frontmatter text as it sits in a file: lines start at file line 2, after the opening ---. */
const parse = (text: string) => parseFrontmatter(text.split("\n"), FILE, 2);
const values = (text: string) => Object.fromEntries(Object.entries(parse(text)).map(([k, e]) => [k, e.value]));

function failure(text: string) {
  try {
    parse(text);
  } catch (error) {
    if (!isAlephError(error)) throw error;
    return error;
  }
  throw new Error(`expected an error for ${JSON.stringify(text)}`);
}

describe("parseFrontmatter: the accepted subset", () => {
  it("reads the seed's frontmatter: a scalar and a block list at column 0, with file lines", () => {
    const entries = parse("relationship: mentor\nexpertise:\n- Rust\n- System design");
    expect(entries.relationship).toEqual({ value: "mentor", line: 2 });
    expect(entries.expertise).toEqual({ value: ["Rust", "System design"], line: 3 });
  });

  it("types plain scalars as YAML 1.2's core schema does", () => {
    expect(
      values(
        [
          "s: hello world",
          "i: 42",
          "neg: -7",
          "f: 3.5",
          "e: 1e3",
          "hex: 0x1F",
          "oct: 0o17",
          "t: true",
          "F: False",
          "n: null",
          "tilde: ~",
          "empty:",
          "url: https://example.com/a#b",
          "colon: a:b",
          "commas: a, b",
          "ver: 1.2.3",
        ].join("\n"),
      ),
    ).toEqual({
      s: "hello world",
      i: 42,
      neg: -7,
      f: 3.5,
      e: 1000,
      hex: 31,
      oct: 15,
      t: true,
      F: false,
      n: null,
      tilde: null,
      empty: null,
      url: "https://example.com/a#b",
      colon: "a:b",
      commas: "a, b",
      ver: "1.2.3",
    });
  });

  it("reads quoted strings with their escapes, and keeps quoted look-alikes as strings", () => {
    expect(
      values(
        [
          `d: "say \\"hi\\"\\tthen\\nbye \\u00e9\\x41\\U0001F600 \\\\"`,
          `s: 'it''s # not a comment'`,
          `num: "42"`,
          `b: 'true'`,
          `colon: "a: b"`,
          `blank: ""`,
        ].join("\n"),
      ),
    ).toEqual({ d: 'say "hi"\tthen\nbye éA😀 \\', s: "it's # not a comment", num: "42", b: "true", colon: "a: b", blank: "" });
  });

  it("reads inline lists, empty and with a trailing comma, and mixed item types", () => {
    expect(values(`a: [x, "y, z", 'w', 3, true, null]\nb: []\nc: [one, two,]\nd: [ spaced ,  out ]`)).toEqual({
      a: ["x", "y, z", "w", 3, true, null],
      b: [],
      c: ["one", "two"],
      d: ["spaced", "out"],
    });
  });

  it("accepts comments, blank lines, indented list items and comments between items", () => {
    const entries = parse("# a comment\n\nrelationship: mentor # trailing\nexpertise: # the list follows\n  - Rust # systems\n\n  # more\n  - 'Go'\nlast: [a] # done");
    expect(Object.fromEntries(Object.entries(entries).map(([k, e]) => [k, e.value]))).toEqual({
      relationship: "mentor",
      expertise: ["Rust", "Go"],
      last: ["a"],
    });
    expect(entries.last!.line).toBe(10);
  });

  it("takes an empty list item as null and `key:` with nothing under it as null", () => {
    expect(values("a:\n-\n- x\nb:\nc: 1")).toEqual({ a: [null, "x"], b: null, c: 1 });
  });

  it("accepts any plain key, __proto__ included, as an ordinary key", () => {
    const entries = parse("__proto__: polluted\nmy_key.sub-part: 1");
    expect(Object.keys(entries)).toEqual(["__proto__", "my_key.sub-part"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("parseFrontmatter: everything else is an error naming file and line", () => {
  const cases: Array<[string, string, number, RegExp]> = [
    ["a line that is not key: value", "relationship: mentor\njust some words", 3, /not a `key: value` line/],
    ["no space after the colon", "relationship:mentor", 2, /no space after the colon/],
    ["a tab in the indentation", "expertise:\n\t- Rust", 3, /tab in the indentation/],
    ["a tab-indented key", "\trelationship: mentor", 2, /tab in the indentation/],
    ["a nested mapping", "voice:\n  tone: warm", 3, /nested mappings/],
    ["an indented key", "a: 1\n  b: 2", 3, /indented line/],
    ["a list item with no key", "- Rust", 2, /list item with no key/],
    ["a list item on the key's line", "expertise: - Rust", 2, /list item on the key's line/],
    ["items indented differently", "expertise:\n  - a\n    - b", 4, /indented by 4 spaces, the first \(line 3\) by 2/],
    ["a block scalar", "bio: |\n  text", 2, /block scalars/],
    ["a folded scalar", "bio: >", 2, /block scalars/],
    ["a flow mapping", "voice: {tone: warm}", 2, /mapping/],
    ["an anchor", "a: &x 1", 2, /anchors and aliases/],
    ["an alias", "a: *x", 2, /anchors and aliases/],
    ["a tag", "a: !!str 1", 2, /tags/],
    ["an unquoted colon-space", "title: Aleph: the partner", 2, /unquoted ": "/],
    ["a value ending in a colon", "title: note:", 2, /unquoted ": "/],
    ["a reserved first character", "a: @home", 2, /reserves/],
    ["an unterminated double quote", `a: "open`, 2, /does not end on its line/],
    ["an unterminated single quote", `a: 'open`, 2, /does not end on its line/],
    ["text after a quoted value", `a: "x" y`, 2, /unexpected text after the value/],
    ["an unknown escape", `a: "\\q"`, 2, /unknown escape/],
    ["a bad unicode escape", `a: "\\u12"`, 2, /bad \\u escape/],
    ["an unclosed inline list", "a: [x, y", 2, /not closed/],
    ["an inline list cut by a comment", "a: [x, # y]", 2, /not closed/],
    ["a nested inline list", "a: [x, [y]]", 2, /inside an inline list/],
    ["an empty inline item", "a: [x, , y]", 2, /empty item/],
    ["a list inside a block list", "a:\n- [x]", 3, /list inside a list/],
    ["a nested block list", "a:\n- - x", 3, /list inside a list/],
    ["a mapping inside a list", "a:\n- name: x", 3, /unquoted ": "/],
    ["a quoted key", `"a": 1`, 2, /quoted key/],
    ["a key with a space", "my key: 1", 2, /unsupported key/],
    ["a number too large to keep", "a: 12345678901234567890", 2, /too large/],
    ["an infinity", "a: .inf", 2, /not a supported number/],
  ];
  it.each(cases)("%s", (_name, text, line, message) => {
    const error = failure(text);
    expect(error.code).toBe("ALEPH_E_IDENTITY");
    expect(error.file).toBe(FILE);
    expect(error.line).toBe(line);
    expect(error.message).toMatch(message);
    expect(error.fix).toBeTruthy();
  });

  it("refuses a duplicate key, naming the line of the first (YAML requires unique keys)", () => {
    const error = failure("relationship: mentor\nexpertise: [a]\nrelationship: peer");
    expect(error.line).toBe(4);
    expect(error.message).toBe('duplicate key "relationship" (first set on line 2)');
  });
});

describe("renderEntry / renderScalar", () => {
  it("writes plain text plain and quotes whatever would read back differently", () => {
    expect(renderScalar("mentor")).toBe("mentor");
    expect(renderScalar("System design")).toBe("System design");
    for (const tricky of ["42", "true", "null", "~", "", " padded", "a: b", "note:", "- x", "#tag", "a #b", "[x]", "{x}", "line\nbreak", "it's", '"q"', "@x", "tab\there", "0x10", "1e3"]) {
      const rendered = renderScalar(tricky);
      expect(values(`k: ${rendered}`).k, rendered).toBe(tricky);
    }
    expect(renderScalar(3.5)).toBe("3.5");
    expect(renderScalar(false)).toBe("false");
    expect(renderScalar(null)).toBe("null");
  });

  it("writes lists as - item lines under the key (the seed's form) and [] when empty", () => {
    expect(renderEntry("expertise", ["Rust", "a: b", 3])).toBe('expertise:\n- Rust\n- "a: b"\n- 3');
    expect(renderEntry("tags", [])).toBe("tags: []");
    expect(values(renderEntry("expertise", ["Rust", "a: b", 3, null]))).toEqual({ expertise: ["Rust", "a: b", 3, null] });
  });
});
