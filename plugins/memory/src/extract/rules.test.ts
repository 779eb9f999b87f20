import { describe, expect, it } from "vitest";
import { extractFacts, RECALLED_MEMORY_TAG } from "./rules.js";

const texts = (message: string) => extractFacts(message).map((f) => f.text);

describe("rule-based extraction", () => {
  it("finds what the user states about themselves, in the third person", () => {
    expect(
      extractFacts("Hi! My name is Ada Lovelace. I live in London. I'm working on the analytical engine. I prefer tea over coffee."),
    ).toEqual([
      { text: "The user's name is Ada Lovelace", category: "identity", confidence: 0.9 },
      { text: "The user lives in London", category: "location", confidence: 0.85 },
      { text: "The user works on the analytical engine", category: "work", confidence: 0.8 },
      { text: "The user prefers tea over coffee", category: "preference", confidence: 0.8 },
    ]);
  });

  it("keeps what the user asks to remember, and the user's things", () => {
    expect(texts("Please remember that the deploy key rotates on Fridays.\nmy favourite editor is helix\nMy kids are Tom and Eva")).toEqual([
      "The deploy key rotates on Fridays",
      "The user's favourite editor is helix",
      "The user's kids are Tom and Eva",
    ]);
    expect(texts("I work at Example Corp. I moved to Berlin. I don't like meetings before ten. Call me Max")).toEqual([
      "The user works at Example Corp",
      "The user lives in Berlin",
      "The user does not like meetings before ten",
      "The user's name is Max",
    ]);
  });

  it("writes what the user asks to remember in the third person, quoting what it cannot rewrite", () => {
    expect(texts("Remember that my sister lives in Lyon. Note: I'm vegetarian. Don't forget I have a dentist appointment on Monday")).toEqual([
      "The user's sister lives in Lyon",
      "The user is vegetarian",
      "The user has a dentist appointment on Monday",
    ]);
    expect(texts("Remember that I need to call mom")).toEqual(['The user said: "I need to call mom"']);
    expect(texts("remember the key is under the mat")).toEqual(["The key is under the mat"]);
    // Words that merely contain "I" or "my" are left alone.
    expect(texts("Remember that Myra in IT owns the mymail server")).toEqual(["Myra in IT owns the mymail server"]);
  });

  it("skips questions, conditionals, quotes, code and recalled memory", () => {
    expect(texts("Do you remember that I live in Paris? If I live in Rome, what changes? Maybe I prefer Go.")).toEqual([]);
    expect(texts("> My name is Mallory\n```\nI live in Nowhere\n```\nI live in Oslo")).toEqual(["The user lives in Oslo"]);
    expect(texts(`<${RECALLED_MEMORY_TAG}>\nThe user lives in Berlin\nI live in Berlin\n</${RECALLED_MEMORY_TAG}>\nthanks`)).toEqual([]);
    // An unclosed block hides the rest: nothing inside recalled memory is ever extracted.
    expect(texts(`I like rust. <${RECALLED_MEMORY_TAG}> my name is Eve`)).toEqual(["The user likes rust"]);
  });

  it("never stores an empty, punctuation-only or runaway value, nor one fact twice", () => {
    expect(texts("My name is ... . I live in !!! . Remember that")).toEqual([]);
    expect(texts(`I like ${"x".repeat(500)}`)).toEqual([]);
    expect(texts("I live in Berlin. i live in berlin! I LIVE IN BERLIN")).toEqual(["The user lives in Berlin"]);
    expect(texts("")).toEqual([]);
    expect(texts("\u0000\u0001 💥")).toEqual([]);
    expect(() => extractFacts("I like ".repeat(100_000))).not.toThrow();
  });
});
