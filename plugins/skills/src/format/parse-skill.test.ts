import { describe, expect, it } from "vitest";
import { parseSkill, portabilityWarnings } from "./parse-skill.js";

const file = "/skills/git-commit/SKILL.md";
const parse = (text: string, folder = "git-commit") => parseSkill(text, { file, folder });
const skill = (front: string, body = "Do the thing.\n") => `---\n${front}\n---\n\n${body}`;

describe("parseSkill", () => {
  it("reads a valid skill with every field", async () => {
    const result = await parse(
      skill(
        [
          "name: git-commit",
          "description: Write a commit message. Use when committing.",
          "license: MIT",
          "compatibility: needs git",
          "metadata:\n  author: me\n  version: '1.0'",
          "allowed-tools: Bash(git:*) Read",
          "requires:\n  bins: git\n  any_bins: [code, vim]\n  env: [GITHUB_TOKEN]\n  config: [agent.model]\n  os: [linux, macos]",
          "user-invocable: true",
        ].join("\n"),
        "# Steps\n1. stage\n",
      ),
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.warnings).toEqual([]);
    expect(result.skill).toMatchObject({
      name: "git-commit",
      description: "Write a commit message. Use when committing.",
      license: "MIT",
      compatibility: "needs git",
      metadata: { author: "me", version: "1.0" },
      allowedTools: ["Bash(git:*)", "Read"],
      requires: { bins: ["git"], anyBins: ["code", "vim"], env: ["GITHUB_TOKEN"], config: ["agent.model"], os: ["linux", "darwin"] },
      userInvocable: true,
      body: "# Steps\n1. stage\n",
      bodyLine: 19,
    });
  });

  it("refuses a file without front-matter, at line 1", async () => {
    const result = await parse("# Just markdown\n");
    expect(result).toMatchObject({ ok: false, name: "git-commit", errors: [{ file, line: 1, message: expect.stringContaining("no front-matter") }] });
  });

  it("refuses front-matter that is never closed", async () => {
    const result = await parse("---\nname: git-commit\ndescription: x\n");
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors[0]!.message).toContain("never closed");
  });

  it("reports bad YAML with its line in the file", async () => {
    const result = await parse("---\nname: git-commit\ndescription: [unclosed\nlicense: MIT\n---\nbody\n");
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors[0]!.message).toMatch(/^invalid YAML/);
    expect(result.errors[0]!.line).toBeGreaterThanOrEqual(3);
  });

  it("refuses a duplicated key", async () => {
    const result = await parse(skill("name: git-commit\ndescription: a\ndescription: b"));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors[0]!.message).toMatch(/invalid YAML/);
  });

  it("refuses a missing description, and an empty one, at the right line", async () => {
    const missing = await parse(skill("name: git-commit"));
    expect(missing).toMatchObject({ ok: false, errors: [{ message: expect.stringContaining("no description") }] });
    const empty = await parse(skill("name: git-commit\ndescription: '  '"));
    expect(empty).toMatchObject({ ok: false, errors: [{ line: 3, field: "description", message: "description is empty" }] });
  });

  it("refuses an oversize description", async () => {
    const result = await parse(skill(`name: git-commit\ndescription: ${"x".repeat(1025)}`));
    expect(result).toMatchObject({ ok: false, errors: [{ field: "description", message: expect.stringContaining("longer than 1024") }] });
  });

  it.each([["Git-Commit"], ["-git"], ["git-"], ["git--commit"], ["git_commit"], ["a".repeat(65)], [""], ["42x y"]])("refuses the bad name %j", async (name) => {
    const result = await parse(skill(`name: ${JSON.stringify(name)}\ndescription: d`), "git-commit");
    expect(result).toMatchObject({ ok: false, errors: [{ line: 2, field: "name", message: expect.stringContaining("is not a skill name") }] });
  });

  it("refuses a name that is not its folder's", async () => {
    const result = await parse(skill("name: code-review\ndescription: d"), "git-commit");
    expect(result).toMatchObject({ ok: false, name: "code-review", errors: [{ line: 2, message: expect.stringContaining('differs from its folder "git-commit"') }] });
  });

  it("refuses a requires it cannot read, naming the key", async () => {
    const unknown = await parse(skill("name: git-commit\ndescription: d\nrequires:\n  binaries: [git]"));
    expect(unknown).toMatchObject({ ok: false, errors: [{ line: 4, field: "requires", message: expect.stringContaining("requires.binaries is not a requirement") }] });
    const badType = await parse(skill("name: git-commit\ndescription: d\nrequires:\n  env: 3"));
    expect(badType).toMatchObject({ ok: false, errors: [{ message: "requires.env must be a name or a list of names" }] });
  });

  it("warns, and goes on, for what does not stop use", async () => {
    const result = await parse(
      skill(`name: git-commit\ndescription: d\ncompatibility: ${"c".repeat(501)}\nmetadata:\n  n: 3\n  o: [1]\nuser-invocable: yes\ncolour: blue\nallowed-tools: [Read, Bash]`, ""),
    );
    expect(result.ok).toBe(true);
    const messages = result.warnings.map((w) => w.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        "compatibility is longer than 500 characters",
        'metadata.n is not text (quote it): read as "3"',
        "metadata.o is not text: ignored",
        "user-invocable is not true or false: read as false",
        expect.stringContaining('unknown field "colour"'),
        expect.stringContaining("allowed-tools is a list"),
        "no instructions after the front-matter",
      ]),
    );
    expect(result.warnings.find((w) => w.field === "colour")!.line).toBe(9);
    if (result.ok) expect(result.skill).toMatchObject({ metadata: { n: "3" }, userInvocable: false, allowedTools: ["Read", "Bash"] });
  });

  it("warns about instructions past 500 lines", async () => {
    const result = await parse(skill("name: git-commit\ndescription: d", "line\n".repeat(600)));
    expect(result.warnings.map((w) => w.message)).toContainEqual(expect.stringContaining("advises under 500"));
  });

  it("accepts a byte-order mark and CRLF line ends", async () => {
    const result = await parse("\uFEFF---\r\nname: git-commit\r\ndescription: d\r\n---\r\nbody\r\n");
    expect(result.ok).toBe(true);
  });

  it("refuses front-matter that is not a mapping", async () => {
    const result = await parse("---\n- a\n- b\n---\n");
    expect(result).toMatchObject({ ok: false, errors: [{ message: expect.stringContaining("not a mapping") }] });
  });
});

describe("portabilityWarnings", () => {
  it("names Aleph's extensions with their lines", () => {
    const warnings = portabilityWarnings(skill("name: x\ndescription: d\nrequires:\n  bins: [git]\nuser-invocable: true"), file);
    expect(warnings.map((w) => [w.field, w.line])).toEqual([
      ["requires", 4],
      ["user-invocable", 6],
    ]);
  });
});
