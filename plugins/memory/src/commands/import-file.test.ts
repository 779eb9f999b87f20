import { describe, expect, it } from "vitest";
import { exportLine, parseImport, parseImportLine } from "./import-file.js";

describe("memory import lines", () => {
  it("reads a full line, ISO and epoch times, and defaults the agent to main", () => {
    expect(parseImportLine('{"text": "The user likes tea", "tags": ["drink"], "created_at": "2026-01-31T10:00:00Z", "importance": 0.8, "pinned": true}')).toEqual({
      agentId: "main",
      text: "The user likes tea",
      source: "import",
      tags: ["drink"],
      createdAt: Date.parse("2026-01-31T10:00:00Z"),
      importance: 0.8,
      pinned: true,
    });
    expect(parseImportLine('{"text": "x", "agent": "ops", "scope": "team", "source": "wiki", "created_at": 1767225600000}')).toMatchObject({ agentId: "ops", scope: "team", source: "wiki", createdAt: 1767225600000 });
  });

  it("says what is wrong with a bad line", () => {
    const bad: [string, RegExp][] = [
      ["not json", /not JSON/],
      ["[1, 2]", /not a JSON object/],
      ['{"text": ""}', /"text" is missing or empty/],
      ['{"txt": "typo"}', /unknown field "txt"/],
      ['{"text": "x", "created_at": "yesterday-ish"}', /"created_at" is not a time/],
      ['{"text": "x", "importance": 3}', /"importance" is a number from 0 to 1/],
      ['{"text": "x", "tags": "a,b"}', /"tags" is a list of strings/],
      ['{"text": "x", "agent": "Bad Agent"}', /not an agent id/],
      ['{"text": "x", "pinned": "yes"}', /"pinned" is true or false/],
      ['{"text": "x", "invalidated_at": "2026-01-01T00:00:00Z"}', /a forgotten fact/],
    ];
    for (const [line, message] of bad) expect(() => parseImportLine(line), line).toThrow(message);
  });

  it("skips bad lines by number and keeps the rest; an empty file is an error", () => {
    const parsed = parseImport('{"text": "one"}\n\nbroken\r\n{"text": "two"}\n{"text": 3}\n', "f.jsonl");
    expect(parsed.facts.map((f) => [f.line, f.input.text])).toEqual([
      [1, "one"],
      [4, "two"],
    ]);
    expect(parsed.skipped.map((s) => s.line)).toEqual([3, 5]);
    expect(parsed.lines).toBe(4);
    expect(() => parseImport("\n\n", "empty.jsonl")).toThrow(/holds no facts/);
  });

  it("reads back what export writes (the export-only fields are ignored)", () => {
    const fact = {
      id: "01J00000000000000000000000",
      agentId: "main",
      scope: "agent",
      text: "The user lives in Berlin",
      contentHash: "h",
      category: "location",
      tags: ["home"],
      importance: 0.7,
      confidence: 0.9,
      pinned: false,
      evergreen: true,
      sources: ["cli", "session:agent:main:main#3"],
      createdAt: Date.parse("2026-02-01T00:00:00Z"),
      updatedAt: 0,
      lastAccessedAt: 0,
      accessCount: 2,
      expiresAt: null,
      invalidatedAt: null,
      supersededBy: null,
      embeddingModel: "hash-v1",
    };
    expect(parseImportLine(exportLine(fact))).toEqual({
      agentId: "main",
      text: "The user lives in Berlin",
      scope: "agent",
      category: "location",
      tags: ["home"],
      importance: 0.7,
      confidence: 0.9,
      pinned: false,
      evergreen: true,
      source: "cli",
      createdAt: fact.createdAt,
    });
  });
});
