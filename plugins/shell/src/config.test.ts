import { describe, expect, it } from "vitest";
import { approvalRulesFor, shellConfigSchema } from "./config.js";

const issues = (input: unknown): string[] => {
  const result = shellConfigSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
};

describe("the [tools.shell] schema", () => {
  it("fills in the defaults", () => {
    expect(shellConfigSchema.parse({})).toEqual({ approval: "always", allow: [], timeout_seconds: 60, max_output_bytes: 65536, pass_env: [], env: {}, agents: {} });
  });

  it("accepts a full section", () => {
    const config = shellConfigSchema.parse({
      approval: "allowlist",
      allow: ["git status", "npm test"],
      timeout_seconds: 300,
      max_output_bytes: 4096,
      pass_env: ["GOPATH"],
      env: { CI: "1" },
      agents: { ops: { approval: "never" }, writer: { allow: ["ls"] } },
    });
    expect(approvalRulesFor(config, "ops")).toEqual({ mode: "never", allow: ["git status", "npm test"] });
    expect(approvalRulesFor(config, "writer")).toEqual({ mode: "allowlist", allow: ["ls"] });
    expect(approvalRulesFor(config, "main")).toEqual({ mode: "allowlist", allow: ["git status", "npm test"] });
  });

  it("refuses unknown keys, bad modes and out-of-range limits", () => {
    expect(issues({ aproval: "never" })).toEqual([expect.stringMatching(/aproval/)]);
    expect(issues({ approval: "sometimes" })).toEqual([expect.stringMatching(/^approval: /)]);
    expect(issues({ timeout_seconds: 0 })).toEqual([expect.stringMatching(/^timeout_seconds: /)]);
    expect(issues({ timeout_seconds: 3601 })).toEqual([expect.stringMatching(/^timeout_seconds: /)]);
    expect(issues({ max_output_bytes: 10 })).toEqual([expect.stringMatching(/^max_output_bytes: /)]);
    expect(issues({ agents: { ops: { approval: "never", timeout_seconds: 5 } } })).toEqual([expect.stringMatching(/timeout_seconds/)]);
    expect(issues({ agents: { "Bad Id": {} } })).not.toEqual([]);
  });

  it("refuses a prefix with shell control or an unterminated quote, saying which", () => {
    expect(issues({ allow: ["git status", "git status; rm"] })).toEqual([expect.stringMatching(/^allow\.1: the prefix "git status; rm" contains ";"/)]);
    expect(issues({ agents: { main: { allow: ["ls 'x"] } } })).toEqual([expect.stringMatching(/unterminated quote/)]);
    expect(issues({ allow: [""] })).toEqual([expect.stringMatching(/no words/)]);
  });

  it("refuses ALEPH_* variables in pass_env and env (the vault passphrase above all), and malformed names", () => {
    expect(issues({ pass_env: ["ALEPH_VAULT_PASSPHRASE"] })).toEqual([expect.stringMatching(/^pass_env\.0: ALEPH_VAULT_PASSPHRASE: ALEPH_\* variables .* never passed/)]);
    expect(issues({ pass_env: ["aleph_state_dir"] })).toEqual([expect.stringMatching(/never passed/)]);
    expect(issues({ env: { ALEPH_VAULT_PASSPHRASE: "x" } })).toEqual([expect.stringMatching(/^env\.ALEPH_VAULT_PASSPHRASE: .*never passed/)]);
    expect(issues({ pass_env: ["1BAD"] })).toEqual([expect.stringMatching(/environment variable name/)]);
    expect(issues({ env: { "A-B": "x" } })).not.toEqual([]);
  });
});
