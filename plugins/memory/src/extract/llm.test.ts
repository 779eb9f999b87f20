import { describe, expect, it } from "vitest";
import { parseExtractAnswer } from "./llm.js";

describe("the LLM extractor's answer", () => {
  it("takes the facts from a JSON answer, even wrapped in prose or a code fence", () => {
    expect(parseExtractAnswer('{"facts": ["The user has a cat named Tom"]}')).toEqual(["The user has a cat named Tom"]);
    expect(parseExtractAnswer('Sure:\n```json\n{"facts": ["A", "  B  b "]}\n```')).toEqual(["A", "B b"]);
    expect(parseExtractAnswer('{"facts": []}')).toEqual([]);
  });

  it("keeps at most 5 sensible facts and drops what is not one", () => {
    expect(parseExtractAnswer(JSON.stringify({ facts: ["1", 2, "", "x".repeat(301), "3", "4", "5", "6", "7"] }))).toEqual(["1", "3", "4", "5", "6"]);
  });

  it("refuses an answer that is not the asked-for JSON, saying why (nothing is added)", () => {
    expect(() => parseExtractAnswer("I could not find any facts.")).toThrow(/no JSON object/);
    expect(() => parseExtractAnswer("{facts: [oops]}")).toThrow(/not JSON/);
    expect(() => parseExtractAnswer('{"fact": ["x"]}')).toThrow(/no "facts" list/);
  });
});
