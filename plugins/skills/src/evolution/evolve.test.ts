import type { ModelCallOptions, ModelRequest, ModelResponse, ProvidersService, SkillMetrics } from "@aleph/plugin-sdk";
import { describe, expect, it } from "vitest";
import { boundFailures, cutMiddle, MAX_FAILURES, MAX_FAILURES_TOTAL_CHARS, MAX_TRANSCRIPT_CHARS } from "./evolve-prompt.js";
import { evolutionDue, evolvePrompt, extractSkillText, proposeEvolution } from "./evolve.js";

const metrics = (completed: number, failed: number, cancelled = 0, unfinished = 0): SkillMetrics => ({
  name: "git-commit",
  uses: completed + failed + cancelled + unfinished,
  completed,
  failed,
  cancelled,
  successRate: completed + failed === 0 ? null : completed / (completed + failed),
  p50Ms: null,
  lastUsedAt: null,
});
const thresholds = { failureRate: 0.3, minUses: 5 };

describe("evolutionDue", () => {
  it("waits for enough finished uses, cancelled and unfinished ones not counting", () => {
    const r = evolutionDue(metrics(0, 4, 6, 3), thresholds);
    expect(r.due).toBe(false);
    expect(r.reason).toBe("4 finished uses of git-commit (completed or failed): 5 needed before its failure rate counts; 6 cancelled uses not counted");
    expect(evolutionDue(metrics(0, 0), thresholds).reason).toMatch(/^0 finished uses/);
  });

  it("is due above the rate, not at it", () => {
    expect(evolutionDue(metrics(2, 4), thresholds)).toEqual({ due: true, reason: "4 of 6 finished uses failed (67% > 30%)" });
    expect(evolutionDue(metrics(7, 3), thresholds)).toEqual({ due: false, reason: "3 of 10 finished uses failed (30% ≤ 30%)" });
    expect(evolutionDue(metrics(14, 6, 1), thresholds)).toEqual({ due: false, reason: "6 of 20 finished uses failed (30% ≤ 30%); 1 cancelled use not counted" });
    expect(evolutionDue(metrics(4, 1), { failureRate: 0.2, minUses: 5 }).due).toBe(false); // exactly 20%
    expect(evolutionDue(metrics(5, 0), { failureRate: 0, minUses: 5 }).due).toBe(false);
    expect(evolutionDue(metrics(4, 1), { failureRate: 0, minUses: 5 }).due).toBe(true);
  });

  it("shows a decimal when rounding would hide the difference", () => {
    // 97 of 320 = 30.3%: above 30%, which "30% > 30%" would not show.
    expect(evolutionDue(metrics(223, 97), thresholds)).toEqual({ due: true, reason: "97 of 320 finished uses failed (30.3% > 30.0%)" });
  });
});

const SKILL = `---
name: git-commit
description: Write a commit message for the staged changes and commit them.
---

# Commit

Run \`git commit -m "<message>"\`.
`;
const IMPROVED = SKILL.replace("Run", "Check `git status` for staged changes first, then run");

describe("evolvePrompt", () => {
  it("asks for the complete file in one markdown block, keeping the name, with the current file and the failures", () => {
    const request = evolvePrompt({ skillName: "git-commit", skillFile: "/r/skills/git-commit/SKILL.md", currentText: SKILL, failures: [{ error: "nothing added to commit", transcript: "user: commit\nassistant: ```bash\ngit commit\n```" }] });
    expect(request.messages).toHaveLength(1);
    expect(typeof request.system).toBe("string");
    expect(request.system).toMatch(/complete file/);
    expect(request.system).toMatch(/````markdown/);
    expect(request.system).toMatch(/Keep "name:" exactly/);
    const user = request.messages[0]!.content as string;
    expect(user).toContain("/r/skills/git-commit/SKILL.md");
    expect(user).toContain(SKILL.trimEnd());
    expect(user).toContain("Error: nothing added to commit");
    // The transcript holds ``` itself: its fence is longer, so it cannot end early.
    expect(user).toContain("````text\nuser: commit");
    expect(user).toMatch(/keeping name: git-commit\.$/);
  });

  it("bounds the failures: five at most, each transcript and all together, cut with a marker", () => {
    const long = "a".repeat(2_000) + "MIDDLE" + "z".repeat(20_000);
    const failures = Array.from({ length: 8 }, (_, i) => ({ error: `e${i}`, transcript: long }));
    const bounded = boundFailures(failures);
    expect(bounded).toHaveLength(MAX_FAILURES);
    for (const f of bounded) {
      expect(f.transcript.length).toBeLessThanOrEqual(MAX_TRANSCRIPT_CHARS);
      expect(f.transcript).toMatch(/^a+\n\[… \d+ characters cut …\]\nz+$/);
    }
    expect(bounded.reduce((n, f) => n + f.transcript.length + (f.error?.length ?? 0), 0)).toBeLessThanOrEqual(MAX_FAILURES_TOTAL_CHARS);
    const user = evolvePrompt({ skillName: "git-commit", skillFile: "f", currentText: SKILL, failures }).messages[0]!.content as string;
    expect(user).toContain("these 5 of 8 recent turns");
    expect(user).not.toContain("MIDDLE");
    expect(user.length).toBeLessThan(MAX_FAILURES_TOTAL_CHARS + 2_000);
    // Long errors are cut too, and their length comes out of the transcripts' share.
    const big = boundFailures(Array.from({ length: 5 }, () => ({ error: "x".repeat(5_000), transcript: long })));
    expect(big.reduce((n, f) => n + f.transcript.length + f.error!.length, 0)).toBeLessThanOrEqual(MAX_FAILURES_TOTAL_CHARS);
    expect(cutMiddle("short", 10)).toBe("short");
  });
});

describe("extractSkillText", () => {
  it("takes the block labelled markdown or md, or a bare one, with prose around", () => {
    expect(extractSkillText(`Here it is:\n\n\`\`\`markdown\n${SKILL}\`\`\`\n\nI added a check.`)).toBe(SKILL);
    expect(extractSkillText(`\`\`\`md\n${SKILL}\`\`\``)).toBe(SKILL);
    expect(extractSkillText(`Sure.\n\`\`\`\n\n${SKILL}\n\n\`\`\`\n`)).toBe(SKILL);
    expect(extractSkillText(`\`\`\`\`markdown\n${SKILL}\`\`\`\`\nDone.`)).toBe(SKILL);
  });

  it("keeps the file's own code blocks, whatever fence the model chose", () => {
    const withCode = `${SKILL}\n\`\`\`bash\ngit status\n\`\`\`\n\nThen:\n\n\`\`\`\ngit commit\n\`\`\`\n\nDone.\n`;
    expect(extractSkillText(`\`\`\`\`markdown\n${withCode}\`\`\`\`\nChanged: status first.`)).toBe(withCode);
    expect(extractSkillText(`\`\`\`markdown\n${withCode}\`\`\`\nChanged: status first.`)).toBe(withCode);
    // A code block in the prose after the file is not part of it.
    expect(extractSkillText(`\`\`\`markdown\n${withCode}\`\`\`\nTry:\n\`\`\`bash\naleph skills check\n\`\`\`\n`)).toBe(withCode);
  });

  it("prefers the block holding a SKILL.md, and takes a bare answer that is one", () => {
    expect(extractSkillText(`\`\`\`bash\nls\n\`\`\`\n\`\`\`markdown\n${SKILL}\`\`\``)).toBe(SKILL);
    const withCode = `${SKILL}\n\`\`\`\nplain\n\`\`\`\n`;
    expect(extractSkillText(`\`\`\`bash\nls\n\`\`\`\n\`\`\`\ncode first\n\`\`\`\n\`\`\`markdown\n${withCode}\`\`\`\n`)).toBe(withCode);
    expect(extractSkillText(`\n${SKILL}\n\n`)).toBe(SKILL);
    expect(extractSkillText(`\`\`\`markdown\n# no front-matter\n\`\`\``)).toBe("# no front-matter\n");
  });

  it("says so when the answer holds no SKILL.md", () => {
    expect(() => extractSkillText("I cannot improve this skill.")).toThrow(expect.objectContaining({ code: "ALEPH_E_PROVIDER_RESPONSE" }));
    expect(() => extractSkillText("```bash\nls\n```")).toThrow(expect.objectContaining({ code: "ALEPH_E_PROVIDER_RESPONSE" }));
  });
});

/** A providers double: answers in turn, remembering each request. */
function providers(answers: (string | Partial<ModelResponse>)[]) {
  const requests: ModelRequest[] = [];
  const options: (ModelCallOptions | undefined)[] = [];
  const service: Pick<ProvidersService, "complete"> = {
    complete: async (request, opts) => {
      requests.push(structuredClone(request));
      options.push(opts);
      const answer = answers.shift();
      if (answer === undefined) throw new Error("no more answers");
      const partial = typeof answer === "string" ? { text: answer } : answer;
      return { provider: "test", model: "m1", text: "", toolCalls: [], thinking: [], stopReason: "end", ...partial };
    },
  };
  return { service, requests, options };
}

const input = { skillName: "git-commit", skillFile: "/r/skills/git-commit/SKILL.md", folder: "git-commit", currentText: SKILL, failures: [{ error: "nothing to commit", transcript: "t" }] };
const fenced = (text: string) => `\`\`\`\`markdown\n${text}\`\`\`\``;

describe("proposeEvolution", () => {
  it("returns a valid first answer, asking once, passing the signal and call options", async () => {
    const p = providers([`Changed the first step.\n${fenced(IMPROVED)}`]);
    const signal = new AbortController().signal;
    expect(await proposeEvolution({ ...input, providers: p.service, signal, call: { provider: "fast" } })).toBe(IMPROVED);
    expect(p.requests).toHaveLength(1);
    expect(p.options[0]).toEqual({ provider: "fast", signal });
  });

  it("sends an invalid answer back with what is wrong, and takes the corrected one", async () => {
    const bad = IMPROVED.replace("description: Write a commit message for the staged changes and commit them.\n", "");
    const p = providers([fenced(bad), fenced(IMPROVED)]);
    expect(await proposeEvolution({ ...input, providers: p.service })).toBe(IMPROVED);
    expect(p.requests).toHaveLength(2);
    const retry = p.requests[1]!.messages;
    expect(retry.map((m) => m.role)).toEqual(["user", "assistant", "user"]);
    expect(retry[1]!.content).toBe(fenced(bad));
    expect(retry[2]!.content).toMatch(/cannot be used:\n- line 2: no description/);
    expect(p.requests[1]!.system).toBe(p.requests[0]!.system);
  });

  it("gives up after a second invalid answer, naming the model and the problems", async () => {
    const p = providers(["I'd rather not.", { text: fenced(IMPROVED), stopReason: "max_tokens" }]);
    const error = await proposeEvolution({ ...input, providers: p.service }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "ALEPH_E_PROVIDER_RESPONSE", file: input.skillFile, fix: expect.stringContaining("aleph skills evolve git-commit") });
    expect((error as Error).message).toMatch(/^test \(m1\) proposed no usable SKILL\.md for skill "git-commit" in 2 tries: the answer was cut off/);
    expect(p.requests[1]!.messages[2]!.content).toMatch(/holds no SKILL\.md/);
  });

  it("rejects a renamed skill, and the current file unchanged", async () => {
    const renamed = IMPROVED.replace("name: git-commit", "name: git-commit-v2");
    const p = providers([fenced(renamed), fenced(SKILL)]);
    const error = await proposeEvolution({ ...input, providers: p.service }).catch((e: unknown) => e);
    expect(p.requests[1]!.messages[2]!.content).toMatch(/name "git-commit-v2" differs from its folder "git-commit"/);
    expect((error as Error).message).toMatch(/the current SKILL\.md unchanged/);
    // A folder named otherwise (a copy) still holds the name fixed.
    const q = providers([fenced(renamed.replace("git-commit-v2", "other")), fenced(renamed.replace("git-commit-v2", "other"))]);
    const other = await proposeEvolution({ ...input, folder: "other", providers: q.service }).catch((e: unknown) => e);
    expect((other as Error).message).toMatch(/the name changed to "other": it must stay name: git-commit/);
  });

  it("passes provider failures through, and stops when cancelled", async () => {
    const failing: Pick<ProvidersService, "complete"> = { complete: () => Promise.reject(Object.assign(new Error("401"), { code: "ALEPH_E_PROVIDER_AUTH" })) };
    await expect(proposeEvolution({ ...input, providers: failing })).rejects.toMatchObject({ code: "ALEPH_E_PROVIDER_AUTH" });
    const controller = new AbortController();
    controller.abort();
    const p = providers([fenced(IMPROVED)]);
    await expect(proposeEvolution({ ...input, providers: p.service, signal: controller.signal })).rejects.toMatchObject({ code: "ALEPH_E_CANCELLED" });
    expect(p.requests).toHaveLength(0);
  });
});
