import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { changedSections, formatIssue, interpolateEnv, loadConfig } from "./config-loader.js";

function files(config?: string, providers?: string) {
  const dir = mkdtempSync(join(tmpdir(), "aleph-config-"));
  const f = { config: join(dir, "config.toml"), providers: join(dir, "providers.toml") };
  if (config !== undefined) writeFileSync(f.config, config);
  if (providers !== undefined) writeFileSync(f.providers, providers);
  return f;
}

function issuesOf(config?: string, providers?: string, env: Record<string, string> = {}) {
  const result = loadConfig(files(config, providers), env);
  if (result.ok) throw new Error("expected the config to be rejected");
  return result.issues;
}

describe("loadConfig", () => {
  it("gives the seed's defaults when the files do not exist", () => {
    const result = loadConfig(files(), {});
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.snapshot.config).toMatchObject({
      agent: { max_iterations: 25, token_budget: 128000, thinking_level: "medium", enable_compression: true, compression_threshold: 100000 },
      gateway: { host: "127.0.0.1", port: 18790, require_auth: false },
      interfaces: {},
      skills: { enabled: true, skills_dir: "skills", auto_match_enabled: false },
      extensions: { enabled: true, hot_reload: true, debounce_ms: 100 },
      memory: { auto_extract: true, max_facts: 10000 },
    });
    expect(result.snapshot.providers).toEqual({ providers: {} });
  });

  it("keeps plugin sections and unknown keys of loose sections for their plugins", () => {
    const result = loadConfig(files(`[hello]\ngreeting = "hi"\n[memory]\nembedder = "x"\n`), {});
    expect(result.ok && result.snapshot.config).toMatchObject({ hello: { greeting: "hi" }, memory: { embedder: "x", max_facts: 10000 } });
  });

  it("reports a TOML syntax error with its file and line", () => {
    const [issue] = issuesOf(`[gateway]\nport = 1\nhost = "unterminated\n`);
    expect(issue!.file).toMatch(/config\.toml$/);
    expect(issue!.line).toBe(3);
    expect(issue!.message).toMatch(/invalid TOML/);
  });

  it("reports a wrong type with the key path and line", () => {
    const [issue] = issuesOf(`[gateway]\nhost = "0.0.0.0"\nport = "eighty"\n`);
    expect(issue).toMatchObject({ path: "gateway.port", line: 3 });
    expect(formatIssue(issue!)).toMatch(/config\.toml:3: gateway\.port: /);
  });

  it("rejects an unknown key in the kernel-owned [extensions] section, at the key's line", () => {
    const [issue] = issuesOf(`[extensions]\nenabled = true\nhot_reloadd = false\n`);
    expect(issue).toMatchObject({ path: "extensions.hot_reloadd", line: 3 });
    expect(issue!.message).toMatch(/unknown key "hot_reloadd"/);
  });

  it("rejects out-of-range values", () => {
    expect(issuesOf(`[gateway]\nport = 70000\n`)[0]!.path).toBe("gateway.port");
    expect(issuesOf(`[agent]\nthinking_level = "extreme"\n`)[0]!.path).toBe("agent.thinking_level");
    expect(issuesOf(`[extensions]\ndisabled = ["Bad/Id"]\n`)[0]!.path).toBe("extensions.disabled.0");
  });

  it("validates providers.toml strictly, naming that file", () => {
    const [issue] = issuesOf(undefined, `[provider.claude]\nprotocol = "anthropic"\n`);
    expect(issue).toMatchObject({ path: "provider", line: 1 });
    expect(issue!.file).toMatch(/providers\.toml$/);
    expect(issuesOf(undefined, `[providers.claude]\nmodel = "x"\n`)[0]!.path).toBe("providers.claude.protocol");
    expect(issuesOf(undefined, `[providers.x]\nprotocol = "openai"\nbase_url = "not a url"\n`)[0]!.path).toBe("providers.x.base_url");
  });

  it("substitutes ${ENV} references and collects secret values for redaction", () => {
    const result = loadConfig(files(`[interfaces.telegram]\ntoken = "\${TG}"\n`, `[providers.claude]\nprotocol = "anthropic"\napi_key = "\${KEY}"\n`), {
      TG: "tg-secret-123",
      KEY: "sk-ant-999",
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.snapshot.config.interfaces.telegram).toEqual({ token: "tg-secret-123" });
    expect(result.snapshot.providers.providers.claude!.api_key).toBe("sk-ant-999");
    expect([...result.snapshot.secrets].sort()).toEqual(["sk-ant-999", "tg-secret-123"]);
  });

  it("reports a reference to an unset variable at its key instead of using an empty string", () => {
    const [issue] = issuesOf(`[gateway]\nhost = "\${NOPE}"\n`);
    expect(issue).toMatchObject({ path: "gateway.host", line: 2 });
    expect(issue!.message).toMatch(/\$\{NOPE\}.*not set/);
  });

  it("keeps $${NAME} literal", () => {
    expect(interpolateEnv({ a: "x$${HOME}y" }, { HOME: "/h" }, "f", "")).toEqual({ a: "x${HOME}y" });
  });
});

describe("changedSections", () => {
  it("names the top-level sections that differ, and providers", () => {
    const a = loadConfig(files(`[gateway]\nport = 1\n[hello]\nx = 1\n`, ``), {});
    const b = loadConfig(files(`[gateway]\nport = 2\n[hello]\nx = 1\n[new]\ny = 1\n`, `[providers.o]\nprotocol = "openai"\n`), {});
    if (!a.ok || !b.ok) throw new Error("fixtures must be valid");
    expect(changedSections(a.snapshot, b.snapshot)).toEqual(["gateway", "new", "providers"]);
    expect(changedSections(a.snapshot, a.snapshot)).toEqual([]);
  });
});
