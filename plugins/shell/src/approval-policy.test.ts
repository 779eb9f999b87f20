import { describe, expect, it } from "vitest";
import { describeRule, runsWithoutAsking, type PolicyInput } from "./approval-policy.js";

const decide = (input: Partial<PolicyInput> & Pick<PolicyInput, "mode" | "command">, remembered = false) =>
  runsWithoutAsking({ allow: [], isRemembered: async () => remembered, ...input });

describe("runsWithoutAsking", () => {
  it('never: runs whatever the command', async () => {
    expect(await decide({ mode: "never", command: "rm -rf build; ls | wc" })).toEqual({ rule: "never" });
  });

  it("allowlist: runs on a prefix match, or a remembered command; else asks", async () => {
    const allow = ["git status", "ls"];
    expect(await decide({ mode: "allowlist", allow, command: "git status -s" })).toEqual({ rule: "allow", prefix: "git status" });
    expect(await decide({ mode: "allowlist", allow, command: "git status; rm -rf ~" })).toBeUndefined();
    expect(await decide({ mode: "allowlist", allow, command: "rm -rf build" })).toBeUndefined();
    expect(await decide({ mode: "allowlist", allow, command: "rm -rf build" }, true)).toEqual({ rule: "remembered" });
  });

  it("always: asks unless the command was remembered, allow-list or not", async () => {
    expect(await decide({ mode: "always", allow: ["ls"], command: "ls" })).toBeUndefined();
    expect(await decide({ mode: "always", command: "ls" }, true)).toEqual({ rule: "remembered" });
  });

  it("looks up remembered commands only when no cheaper rule decides", async () => {
    let lookups = 0;
    const isRemembered = async () => (lookups++, false);
    await runsWithoutAsking({ mode: "never", allow: [], command: "x", isRemembered });
    await runsWithoutAsking({ mode: "allowlist", allow: ["x"], command: "x", isRemembered });
    expect(lookups).toBe(0);
  });

  it("describes the rule for the audit log", () => {
    expect(describeRule({ rule: "allow", prefix: "git status" })).toBe("allow: git status");
    expect(describeRule({ rule: "remembered" })).toBe("remembered");
  });
});
