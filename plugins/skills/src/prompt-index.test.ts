import { describe, expect, it } from "vitest";
import { promptIndex, type IndexedSkill } from "./prompt-index.js";

const skill = (name: string, description = `Does ${name} things.`): IndexedSkill => ({ name, description, file: `/home/u/.aleph/skills/${name}/SKILL.md` });
const SKILLS = [skill("pdf-extract", "Extract text and tables from PDF files."), skill("git-commit", "Write a commit message."), skill("weather", "The forecast for a city.")];
const many = (n: number) => Array.from({ length: n }, (_, i) => skill(`skill-${String(i).padStart(3, "0")}`));

describe("promptIndex", () => {
  it("lists every skill in full, sorted by name, under one line of instruction", () => {
    expect(promptIndex(SKILLS, 10_000)).toBe(
      [
        "Skills hold instructions for specific tasks. When one fits the task, load it with skill_read {name} before acting; read its files with skill_read {name, file}.",
        "<available_skills>",
        "<skill>",
        "<name>git-commit</name>",
        "<description>Write a commit message.</description>",
        "<location>/home/u/.aleph/skills/git-commit/SKILL.md</location>",
        "</skill>",
        "<skill>",
        "<name>pdf-extract</name>",
        "<description>Extract text and tables from PDF files.</description>",
        "<location>/home/u/.aleph/skills/pdf-extract/SKILL.md</location>",
        "</skill>",
        "<skill>",
        "<name>weather</name>",
        "<description>The forecast for a city.</description>",
        "<location>/home/u/.aleph/skills/weather/SKILL.md</location>",
        "</skill>",
        "</available_skills>",
      ].join("\n"),
    );
  });

  it("escapes every value, and puts a description on one line", () => {
    const text = promptIndex([{ name: "x&y", description: `Runs <script>alert("hi")</script> & 'more'\n  across lines`, file: "/tmp/a<b>/SKILL.md" }], 10_000);
    expect(text).toContain("<name>x&amp;y</name>");
    expect(text).toContain("<description>Runs &lt;script&gt;alert(&quot;hi&quot;)&lt;/script&gt; &amp; &apos;more&apos; across lines</description>");
    expect(text).toContain("<location>/tmp/a&lt;b&gt;/SKILL.md</location>");
    expect(text).not.toContain("<script>");
  });

  it("drops the descriptions when the full form does not fit", () => {
    const full = promptIndex(SKILLS, 10_000);
    const text = promptIndex(SKILLS, full.length - 1);
    expect(text).not.toContain("<description>");
    expect(text).toContain("<name>git-commit</name>\n<location>/home/u/.aleph/skills/git-commit/SKILL.md</location>");
    expect(text.match(/<skill>/g)).toHaveLength(3);
    expect(text).not.toContain("<!--");
    expect(promptIndex(SKILLS, full.length)).toBe(full);
  });

  it("cuts the list in name order when names alone do not fit, and counts what was left out", () => {
    const skills = many(50);
    const compact = promptIndex(skills, promptIndex(skills, Infinity).length - 1);
    expect(compact).not.toContain("<description>");
    expect(compact.match(/<skill>/g)).toHaveLength(50);
    expect(promptIndex(skills, compact.length - 1)).toContain("<!-- ");
    const text = promptIndex(skills, 2_000);
    expect(text.length).toBeLessThanOrEqual(2_000);
    const listed = [...text.matchAll(/<name>(.*?)<\/name>/g)].map((m) => m[1]);
    expect(listed.length).toBeGreaterThan(5);
    expect(listed).toEqual(skills.slice(0, listed.length).map((s) => s.name));
    expect(text.endsWith(`</available_skills>\n<!-- ${50 - listed.length} more skills not listed: ask for them by name with skill_read -->`)).toBe(true);
  });

  it("says how many there are when not one fits, and is empty when not even that does", () => {
    const text = promptIndex(many(12), 240);
    expect(text).toMatch(/^Skills hold instructions.*\n<!-- 12 skills not listed: ask for them by name with skill_read -->$/);
    expect(promptIndex(many(12), 100)).toBe("<!-- 12 skills not listed: ask for them by name with skill_read -->");
    expect(promptIndex(many(12), 20)).toBe("");
    expect(promptIndex(many(12), 0)).toBe("");
  });

  it("is empty without skills", () => {
    expect(promptIndex([], 10_000)).toBe("");
  });

  it("never exceeds the budget", () => {
    // A fixed-seed generator: the same budgets every run.
    let seed = 42;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const skills = Array.from({ length: 120 }, (_, i) => skill(`s${i}-${"x".repeat(Math.floor(random() * 30))}`, "d".repeat(Math.floor(random() * 300)) + " <&>"));
    const full = promptIndex(skills, Infinity).length;
    for (let i = 0; i < 2_000; i++) {
      const budget = Math.floor(random() * (full + 200));
      const text = promptIndex(skills.slice(0, 1 + Math.floor(random() * skills.length)), budget);
      expect(text.length, `budget ${budget}`).toBeLessThanOrEqual(budget);
    }
    // Every budget around the steps, one by one.
    for (let budget = 0; budget < 3_000; budget++) expect(promptIndex(skills.slice(0, 20), budget).length).toBeLessThanOrEqual(budget);
  });

  it("is byte-identical whatever order the skills come in, sorting by code units", () => {
    const skills = [...SKILLS, skill("Zeta"), skill("alpha"), skill("éclair"), skill("a-b"), skill("a_b")];
    const once = promptIndex(skills, 10_000);
    expect(promptIndex([...skills].reverse(), 10_000)).toBe(once);
    expect(promptIndex([skills[3]!, ...skills.slice(4), ...skills.slice(0, 3)], 10_000)).toBe(once);
    const order = [...once.matchAll(/<name>(.*?)<\/name>/g)].map((m) => m[1]);
    expect(order).toEqual(["Zeta", "a-b", "a_b", "alpha", "git-commit", "pdf-extract", "weather", "éclair"]);
  });
});
