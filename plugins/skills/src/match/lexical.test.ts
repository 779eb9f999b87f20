import { describe, expect, it } from "vitest";
import { LexicalIndex, stem, terms } from "./lexical.js";

const SKILLS = [
  { name: "git-commit", description: "Write a conventional commit message for the staged changes and create the commit." },
  { name: "code-review", description: "Review a diff or pull request for bugs, risky changes and style problems." },
  { name: "pdf-extract", description: "Extract text and tables from PDF files." },
  { name: "weather", description: "Current conditions and the forecast for a city: temperature, rain, wind." },
  { name: "github-pr", description: "Open, update or merge a pull request on GitHub with the gh CLI." },
  { name: "docker-build", description: "Build a container image from a Dockerfile and push it to a registry." },
  { name: "sql-query", description: "Run read-only SQL queries against the Postgres database and explain the results." },
  { name: "slack-message", description: "Post a message to a Slack channel or reply in a thread." },
  { name: "calendar-event", description: "Schedule a meeting or event on the calendar and invite people." },
  { name: "image-resize", description: "Resize, crop or convert photos and other images." },
  { name: "translate", description: "Translate text between languages, keeping its formatting." },
  { name: "web-search", description: "Search the web and summarise the pages found, with links." },
  { name: "unit-tests", description: "Write unit tests for a function or module and run them." },
  { name: "changelog", description: "Update CHANGELOG.md with the notable changes of a release." },
  { name: "spreadsheet", description: "Read, edit and compute columns of spreadsheets (xlsx, csv)." },
];
const index = new LexicalIndex(SKILLS);
const top = (text: string, k = 3) => index.search(text, k).map((h) => SKILLS[h.index]!.name);

describe("terms", () => {
  it("lower-cases, splits on anything not a letter or digit (hyphens too), drops stopwords", () => {
    expect(terms("Use the Git-Commit skill, please!")).toEqual(["git", "commit", "skill"]);
    expect(terms("the of and to please")).toEqual([]);
    expect(terms("")).toEqual([]);
  });

  it("keeps letters and digits of any script", () => {
    expect(terms("Résumé für 2024年")).toEqual(["résumé", "für", "2024年"]);
  });

  it("strips common suffixes alike on both sides", () => {
    for (const [a, b] of [
      ["commits", "commit"],
      ["committed", "commit"],
      ["committing", "commit"],
      ["messages", "message"],
      ["writing", "write"],
      ["coding", "code"],
      ["queries", "query"],
      ["matches", "match"],
      ["tests", "test"],
      ["running", "run"],
      ["added", "add"],
    ] as const) {
      expect(stem(a), `${a} ~ ${b}`).toBe(stem(b));
    }
    // Words that only look suffixed stay whole.
    expect(stem("status")).toBe("status");
    expect(stem("address")).toBe("address");
    expect(stem("need")).toBe("need");
  });
});

describe("LexicalIndex", () => {
  it("ranks the skill a message is about first", () => {
    const cases: [string, string][] = [
      ["Write a commit message for my staged changes", "git-commit"],
      ["review this diff for bugs", "code-review"],
      ["get the tables out of this pdf", "pdf-extract"],
      ["will it rain in Paris tomorrow? what's the forecast", "weather"],
      ["merge the pull request on github", "github-pr"],
      ["build the docker image and push it", "docker-build"],
      ["how many orders are in the postgres database? write the sql", "sql-query"],
      ["post this to the #eng channel on slack", "slack-message"],
      ["schedule a meeting with Ana next Tuesday", "calendar-event"],
      ["resize these photos to 800px", "image-resize"],
      ["translate this paragraph into German", "translate"],
      ["search the web for the latest Node release notes", "web-search"],
      ["write tests for the parser module", "unit-tests"],
      ["update the changelog for 2.0", "changelog"],
      ["sum the columns of the spreadsheet", "spreadsheet"],
    ];
    for (const [message, expected] of cases) expect(top(message)[0], message).toBe(expected);
  });

  it("puts a skill named outright first, whatever else the message says", () => {
    expect(top("use git-commit for the docker image build")[0]).toBe("git-commit");
    expect(index.search("run changelog")[0]).toMatchObject({ index: 13, named: 1 });
    // Invoked as a command beats merely mentioned ("weather" is a plain word too).
    expect(top("/pdf-extract the weather report: forecast, rain, wind, temperature", 2)).toEqual(["pdf-extract", "weather"]);
    expect(index.search("/pdf-extract the weather report").slice(0, 2).map((h) => h.named)).toEqual([2, 1]);
    // A path is not a command, and a name inside a longer word is not a mention.
    expect(index.search("see skills/pdf-extract")[0]).toMatchObject({ index: 2, named: 1 });
    expect(index.search("git-commits please").every((h) => h.named === 0)).toBe(true);
  });

  it("finds a named skill even when none of its words count", () => {
    const odd = new LexicalIndex([{ name: "do-it", description: "x" }, { name: "other", description: "do it now" }]);
    expect(odd.search("please /do-it")).toEqual([{ index: 0, score: 0, named: 2 }]);
  });

  it("finds nothing in an empty or stopword-only message, or for words no skill has", () => {
    expect(index.search("")).toEqual([]);
    expect(index.search("   ")).toEqual([]);
    expect(index.search("can you do this for me please?")).toEqual([]);
    expect(index.search("zebra quokka")).toEqual([]);
    expect(new LexicalIndex([]).search("git commit")).toEqual([]);
  });

  it("returns at most k hits, best first, every score above zero", () => {
    const all = index.search("write changes");
    expect(all.length).toBeGreaterThan(3);
    expect(index.search("write changes", 2)).toEqual(all.slice(0, 2));
    expect(index.search("write changes", 0)).toEqual([]);
    for (let i = 1; i < all.length; i++) expect(all[i - 1]!.score).toBeGreaterThanOrEqual(all[i]!.score);
    expect(all.every((h) => h.score > 0)).toBe(true);
  });

  it("weighs a word of the name above the same word in a description", () => {
    const both = new LexicalIndex([
      { name: "deploy", description: "Ship the service to production." },
      { name: "release-notes", description: "Draft notes before you deploy a release." },
    ]);
    expect(both.search("deploy now").map((h) => h.index)).toEqual([0, 1]);
    expect(both.search("deploy now")[0]!.named).toBe(1);
    expect(both.search("deploying the app")[0]).toMatchObject({ index: 0, named: 0 });
  });
});
