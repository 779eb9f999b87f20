import { mkdtempSync, writeFileSync } from "node:fs";
import { writeKey } from "@aleph/plugin-sdk";
import { useLowVaultKdfCost } from "@aleph/plugin-sdk/testing";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
      extensions: { enabled: true, hot_reload: true, debounce_ms: 100 },
    });
    // [memory], [gateway], [interfaces] belong to plugins: the kernel adds nothing to them.
    expect(result.snapshot.config).not.toHaveProperty("memory");
    expect(result.snapshot.config).not.toHaveProperty("gateway");
    expect(result.snapshot.config).not.toHaveProperty("interfaces");
    expect(result.snapshot.config).not.toHaveProperty("skills");
    expect(result.snapshot.providers).toEqual({ providers: {} });
  });

  it("keeps plugin sections and unknown keys of loose sections for their plugins", () => {
    const result = loadConfig(files(`[hello]\ngreeting = "hi"\n[gateway]\ntls = "x"\n`), {});
    expect(result.ok && result.snapshot.config).toMatchObject({ hello: { greeting: "hi" }, gateway: { tls: "x" } });
  });

  it("reports a TOML syntax error with its file and line", () => {
    const [issue] = issuesOf(`[gateway]\nport = 1\nhost = "unterminated\n`);
    expect(issue!.file).toMatch(/config\.toml$/);
    expect(issue!.line).toBe(3);
    expect(issue!.message).toMatch(/invalid TOML/);
  });

  it("reports a wrong type with the key path and line", () => {
    const [issue] = issuesOf(`[extensions]\nenabled = true\ndebounce_ms = "soon"\n`);
    expect(issue).toMatchObject({ path: "extensions.debounce_ms", line: 3 });
    expect(formatIssue(issue!)).toMatch(/config\.toml:3: extensions\.debounce_ms: /);
  });

  it("rejects an unknown key in the kernel-owned [extensions] section, at the key's line", () => {
    const [issue] = issuesOf(`[extensions]\nenabled = true\nhot_reloadd = false\n`);
    expect(issue).toMatchObject({ path: "extensions.hot_reloadd", line: 3 });
    expect(issue!.message).toMatch(/unknown key "hot_reloadd"/);
  });

  it("rejects out-of-range values", () => {
    expect(issuesOf(`[extensions]\ndebounce_ms = 10\n`)[0]!.path).toBe("extensions.debounce_ms");
    expect(issuesOf(`[providers.openai]\nprotocol = "openai"\n`)[0]!.message).toMatch(/providers\.toml/);
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
    expect((result.snapshot.config.interfaces as Record<string, unknown>).telegram).toEqual({ token: "tg-secret-123" });
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

describe("keys:<name> references to the vault", () => {
  const SECRET = "sk-vault-4242424242";
  const PASS = "vault passphrase";
  // The lowest derivation cost (test-only; the SDK's vault tests keep one at the default): at the
  // default, each encrypted key costs hundreds of ms of CPU on a loaded machine.
  let restoreKdfCost: () => void = () => undefined;
  beforeAll(() => {
    restoreKdfCost = useLowVaultKdfCost();
  });
  afterAll(() => restoreKdfCost());

  async function vault(encrypted = false) {
    const dir = join(mkdtempSync(join(tmpdir(), "aleph-config-vault-")), "keys");
    await writeKey(dir, "anthropic", SECRET, encrypted ? PASS : undefined);
    await writeKey(dir, "greeting", "hello-from-vault");
    return dir;
  }

  it("resolves whole-string references in both files and collects them as secrets whatever the key", async () => {
    const credentialsDir = await vault();
    const result = loadConfig(
      files(`[hello]\ngreeting = "keys:greeting"\nliteral = "not keys:greeting"\n`, `[providers.claude]\nprotocol = "anthropic"\napi_key = "keys:anthropic"\n`),
      {},
      { credentialsDir },
    );
    if (!result.ok) throw new Error(result.issues.map(formatIssue).join("\n"));
    expect(result.snapshot.providers.providers.claude!.api_key).toBe(SECRET);
    expect(result.snapshot.config.hello).toEqual({ greeting: "hello-from-vault", literal: "not keys:greeting" });
    expect(result.snapshot.secrets).toContain(SECRET);
    expect(result.snapshot.secrets).toContain("hello-from-vault");
  });

  it("decrypts encrypted keys with the passphrase, which also joins the secrets", async () => {
    const credentialsDir = await vault(true);
    const result = loadConfig(files(undefined, `[providers.claude]\nprotocol = "anthropic"\napi_key = "keys:anthropic"\n`), {}, { credentialsDir, passphrase: PASS });
    if (!result.ok) throw new Error(result.issues.map(formatIssue).join("\n"));
    expect(result.snapshot.providers.providers.claude!.api_key).toBe(SECRET);
    expect(result.snapshot.secrets).toContain(PASS);
  });

  it("uses vault values verbatim, without ${ENV} interpolation; env values are not vault references", async () => {
    const credentialsDir = join(mkdtempSync(join(tmpdir(), "aleph-config-vault-")), "keys");
    await writeKey(credentialsDir, "tricky", "a${HOME}b");
    const result = loadConfig(files(`[hello]\na = "keys:tricky"\nb = "\${REF}"\n`), { HOME: "/h", REF: "keys:tricky" }, { credentialsDir });
    expect(result.ok && result.snapshot.config.hello).toEqual({ a: "a${HOME}b", b: "keys:tricky" });
  });

  it("reports a missing key at its key path and line, like an unset variable", async () => {
    const credentialsDir = await vault();
    const result = loadConfig(files(`[gateway]\nport = 1\n\n[hello]\ntoken = "keys:missing"\n`), {}, { credentialsDir });
    if (result.ok) throw new Error("expected an issue");
    expect(result.issues).toHaveLength(1);
    expect(result.issues[0]).toMatchObject({ path: "hello.token", line: 5 });
    expect(formatIssue(result.issues[0]!)).toMatch(/config\.toml:5: hello\.token: references keys:missing: no key "missing".*aleph keys set missing/);
  });

  it("reports an encrypted key without passphrase or with a wrong one, never quoting the value", async () => {
    const credentialsDir = await vault(true);
    const providers = `[providers.claude]\nprotocol = "anthropic"\napi_key = "keys:anthropic"\n`;
    for (const [passphrase, message] of [
      [undefined, /references keys:anthropic: key "anthropic" is encrypted and ALEPH_VAULT_PASSPHRASE is not set/],
      ["wrong", /references keys:anthropic: cannot decrypt key "anthropic": wrong ALEPH_VAULT_PASSPHRASE \(or the file was altered\)/],
    ] as const) {
      const result = loadConfig(files(undefined, providers), {}, { credentialsDir, passphrase });
      if (result.ok) throw new Error("expected an issue");
      expect(result.issues[0]).toMatchObject({ path: "providers.claude.api_key", line: 3 });
      expect(result.issues[0]!.file).toMatch(/providers\.toml$/);
      expect(result.issues[0]!.message).toMatch(message);
      expect(JSON.stringify(result.issues)).not.toContain(SECRET);
    }
  });

  it("refuses bad key names in references (path separators, .., empty, NUL)", async () => {
    const credentialsDir = await vault();
    for (const [written, reason] of [
      ["keys:a/b", /path separator/],
      ["keys:..", /contains "\.\."/],
      ["keys:../anthropic", /path separator|\.\./],
      ["keys:", /key name is empty/],
      ["keys:a\\u0000b", /NUL/],
    ] as const) {
      const result = loadConfig(files(`[hello]\nx = "${written}"\n`), {}, { credentialsDir });
      if (result.ok) throw new Error(`expected ${written} to be refused`);
      expect(result.issues[0]).toMatchObject({ path: "hello.x", line: 2 });
      expect(result.issues[0]!.message).toMatch(reason);
    }
  });

  it("without a vault directory a reference is an issue, never the literal string", () => {
    const result = loadConfig(files(`[hello]\nx = "keys:anthropic"\n`), {});
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0]!.message).toMatch(/no keys vault/);
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
