import type { EmbeddingsService } from "@aleph/plugin-sdk";
import { describe, expect, it } from "vitest";
import { EmbeddingCache, SkillMatcher, type SkillCandidate } from "./matcher.js";

const skill = (name: string, description: string): SkillCandidate => ({ name, description, file: `/skills/${name}/SKILL.md` });

const SKILLS = [
  skill("git-commit", "Write a conventional commit message for the staged files and create the commit."),
  skill("changelog", "Update CHANGELOG.md with the notable changes of a release."),
  skill("code-review", "Review a diff or pull request for bugs, risky changes and style problems."),
  skill("weather", "Current conditions and the forecast for a city: temperature, rain, wind."),
  skill("pdf-extract", "Extract text and tables from PDF files."),
  skill("image-resize", "Resize, crop or convert photos and other images."),
];

/*
 * A stand-in embedder: each text is placed on the axis of the first concept it names, so a
 * paraphrase can be put next to a skill it shares no words with.
 */
const CONCEPTS: [RegExp, number][] = [
  [/^git-commit:|version control|record the changes/, 0],
  [/^changelog:/, 1],
  [/^code-review:/, 2],
  [/^weather:|umbrella/, 3],
  [/^pdf-extract:/, 4],
  [/^image-resize:/, 5],
];
function place(text: string): number[] {
  const v = new Array<number>(7).fill(0);
  v[CONCEPTS.find(([re]) => re.test(text))?.[1] ?? 6] = 1;
  return v;
}

function fakeEmbeddings(overrides: Partial<EmbeddingsService> = {}) {
  const calls: string[][] = [];
  const queries: string[] = [];
  const service: EmbeddingsService = {
    model: "fake-v1",
    dimension: async () => 7,
    embed: async (texts) => {
      calls.push(texts);
      return texts.map(place);
    },
    embedQuery: async (text) => {
      queries.push(text);
      return place(text);
    },
    ...overrides,
  };
  return { service, calls, queries };
}

const names = (matches: { name: string }[]) => matches.map((m) => m.name);

describe("SkillMatcher", () => {
  it("ranks lexically without embeddings, best first, scores in 0..1 above zero", async () => {
    const matches = await new SkillMatcher(SKILLS).match("list the notable changes of this release", { k: 5 });
    expect(names(matches)[0]).toBe("changelog");
    expect(matches[0]!.score).toBe(1);
    expect(matches.every((m, i) => m.score > 0 && m.score <= 1 && (i === 0 || matches[i - 1]!.score >= m.score))).toBe(true);
    expect(matches[0]).toMatchObject({ description: SKILLS[1]!.description, file: "/skills/changelog/SKILL.md", parts: { cosine: null, named: 0 } });
  });

  it("honours k, and finds nothing for an empty or stopword-only message", async () => {
    const matcher = new SkillMatcher(SKILLS);
    expect(await matcher.match("changes", { k: 1 })).toHaveLength(1);
    expect((await matcher.match("changes", { k: 10 })).length).toBeGreaterThan(1);
    expect(await matcher.match("changes", { k: 0 })).toEqual([]);
    const { service, calls, queries } = fakeEmbeddings();
    expect(await matcher.match("", { k: 3, embeddings: service })).toEqual([]);
    expect(await matcher.match("can you do this for me?", { k: 3, embeddings: service })).toEqual([]);
    expect(calls).toEqual([]);
    expect(queries).toEqual([]);
    expect(await new SkillMatcher([]).match("commit", { k: 3, embeddings: service })).toEqual([]);
  });

  it("blends in vector similarity, so a paraphrase finds the skill it means", async () => {
    const matcher = new SkillMatcher(SKILLS);
    const message = "record the changes to these files";
    // Lexically "changes" and "files" point a little more to other skills…
    expect(names(await matcher.match(message, { k: 3 }))[0]).not.toBe("git-commit");
    // …the embedder places the message next to git-commit. (A skill no word matched gets at most
    // 0.4, below the lexical best's 0.6: vectors reorder what the words found, and add below it.)
    const { service } = fakeEmbeddings();
    const blended = await matcher.match(message, { k: 3, embeddings: service });
    expect(names(blended)[0]).toBe("git-commit");
    expect(blended[0]!.parts.cosine).toBeCloseTo(1);
    // A skill no word matched enters on similarity alone, only when close enough.
    expect(names(await matcher.match("do I need an umbrella today", { k: 3, embeddings: service }))).toEqual(["weather"]);
  });

  it("keeps a named skill first over what the vectors say", async () => {
    const { service } = fakeEmbeddings();
    const matches = await new SkillMatcher(SKILLS).match("/pdf-extract then put the staged files under version control", { k: 3, embeddings: service });
    expect(names(matches)[0]).toBe("pdf-extract");
    expect(matches[0]!.parts.named).toBe(2);
    expect(matches[0]!.score).toBeGreaterThan(2);
  });

  it("falls back to the lexical ranking when embeddings fail, and asks again next time", async () => {
    const lexical = await new SkillMatcher(SKILLS).match("review the risky changes", { k: 3 });
    const errors: unknown[] = [];
    let fail = true;
    const { service, calls } = fakeEmbeddings();
    const flaky: EmbeddingsService = {
      ...service,
      embed: async (texts) => {
        if (fail) throw new Error("provider down");
        return service.embed(texts);
      },
    };
    const matcher = new SkillMatcher(SKILLS);
    expect(await matcher.match("review the risky changes", { k: 3, embeddings: flaky, onEmbeddingsError: (e) => errors.push(e) })).toEqual(lexical);
    expect(errors).toHaveLength(1);

    const badQuery = fakeEmbeddings({ embedQuery: () => Promise.reject(new Error("timeout")) });
    expect(await new SkillMatcher(SKILLS).match("review the risky changes", { k: 3, embeddings: badQuery.service })).toEqual(lexical);

    fail = false;
    const recovered = await matcher.match("review the risky changes", { k: 3, embeddings: flaky });
    expect(recovered[0]!.parts.cosine).not.toBeNull();
    expect(calls).toHaveLength(1);
  });

  it("embeds a skill set once, in one call, even for concurrent matches", async () => {
    const { service, calls } = fakeEmbeddings();
    const matcher = new SkillMatcher(SKILLS);
    await Promise.all([matcher.match("commit", { k: 2, embeddings: service }), matcher.match("weather", { k: 2, embeddings: service })]);
    await matcher.match("resize", { k: 2, embeddings: service });
    expect(calls).toEqual([SKILLS.map((s) => `${s.name}: ${s.description}`)]);
  });

  it("re-embeds only the changed skill when the set is rebuilt over a shared cache", async () => {
    const cache = new EmbeddingCache();
    const { service, calls } = fakeEmbeddings();
    await new SkillMatcher(SKILLS, { cache }).match("commit", { k: 2, embeddings: service });
    expect(calls).toHaveLength(1);
    expect(cache.size).toBe(SKILLS.length);

    const edited = SKILLS.map((s) => (s.name === "weather" ? { ...s, description: "Forecasts: will it rain, and how warm." } : s));
    const matches = await new SkillMatcher(edited, { cache }).match("will it rain", { k: 2, embeddings: service });
    expect(calls[1]).toEqual(["weather: Forecasts: will it rain, and how warm."]);
    expect(names(matches)[0]).toBe("weather");

    // Another embedding model has its own vectors.
    await new SkillMatcher(edited, { cache }).match("commit", { k: 2, embeddings: { ...service, model: "fake-v2" } });
    expect(calls[2]).toHaveLength(SKILLS.length);
  });

  it("drops the least recently used vectors past the cache's size", () => {
    const cache = new EmbeddingCache(2);
    cache.set("m", "a", Float32Array.of(1));
    cache.set("m", "b", Float32Array.of(2));
    expect(cache.get("m", "a")).toEqual(Float32Array.of(1));
    cache.set("m", "c", Float32Array.of(3));
    expect(cache.get("m", "b")).toBeUndefined();
    expect(cache.get("m", "a")).toBeDefined();
    expect(cache.get("other", "a")).toBeUndefined();
  });

  it("stops when the signal is aborted", async () => {
    const controller = new AbortController();
    const { service } = fakeEmbeddings({
      embedQuery: async (text) => {
        controller.abort(new Error("turn cancelled"));
        return place(text);
      },
    });
    await expect(new SkillMatcher(SKILLS).match("commit", { k: 2, embeddings: service, signal: controller.signal })).rejects.toThrow("turn cancelled");
    await expect(new SkillMatcher(SKILLS).match("commit", { k: 2, signal: controller.signal })).rejects.toThrow("turn cancelled");
  });
});
