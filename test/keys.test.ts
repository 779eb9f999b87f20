/*
 * The keys vault end to end: `aleph keys set|get|list|rm`, encryption at rest with
 * ALEPH_VAULT_PASSPHRASE, `keys:<name>` references in config.toml and providers.toml, and the
 * promise that a secret never reaches a log line, stderr or an error message.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { createWorkspace, runCli, runCliJson, startKernel, type Workspace } from "./support/aleph.js";
import { writePlugin } from "./support/plugins.js";

const SECRET = "sk-e2e-vault-7f3a9c1d5e";
const PASS = "e2e vault passphrase";

/*
 * Encrypted keys in these tests are derived at the lowest cost: the CLI honours the test-only
 * ALEPH_VAULT_KDF_TEST_COST because NODE_ENV=test is set too. One test keeps the default cost and
 * shows the variable alone changes nothing.
 */
const LOW_KDF_COST = { NODE_ENV: "test", ALEPH_VAULT_KDF_TEST_COST: "1024" };

/** A workspace whose CLI runs derive keys at the lowest cost. */
function createVaultWorkspace(): Workspace {
  const ws = createWorkspace();
  Object.assign(ws.env, LOW_KDF_COST);
  return ws;
}

const keysDir = (ws: Workspace) => join(ws.root, "keys");
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** Every log file the kernel writes, as text ("" when it does not exist). */
function logs(ws: Workspace): Record<string, string> {
  const read = (name: string) => (existsSync(join(ws.root, "logs", name)) ? readFileSync(join(ws.root, "logs", name), "utf8") : "");
  return { "gateway.log": read("gateway.log"), "agent.log": read("agent.log") };
}

async function setKey(ws: Workspace, name: string, value: string, env: NodeJS.ProcessEnv = {}): Promise<void> {
  const result = await runCli(ws, ["keys", "set", name], { input: `${value}\n`, env });
  expect(result.code, result.stderr).toBe(0);
}

describe("aleph keys", () => {
  test("set from stdin stores one 0600 file in a 0700 keys/; get, list and rm", async () => {
    const ws = createVaultWorkspace();
    const set = await runCli(ws, ["keys", "set", "openai"], { input: `${SECRET}\n` });
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout + set.stderr).not.toContain(SECRET);
    expect(statSync(keysDir(ws)).mode & 0o777).toBe(0o700);
    expect(statSync(join(keysDir(ws), "openai")).mode & 0o777).toBe(0o600);
    expect(readdirSync(keysDir(ws))).toEqual(["openai"]);

    const get = await runCli(ws, ["keys", "get", "openai"]);
    expect(get).toMatchObject({ code: 0, stdout: `${SECRET}\n` });

    await setKey(ws, "anthropic", "sk-other-1234");
    expect(await runCliJson(ws, ["keys", "list", "--json"])).toEqual([
      { name: "anthropic", encrypted: false },
      { name: "openai", encrypted: false },
    ]);
    const human = await runCli(ws, ["keys", "list"]);
    expect(human.stdout).toMatch(/anthropic\s+no/);
    expect(human.stdout).not.toContain(SECRET);

    expect((await runCli(ws, ["keys", "rm", "openai"])).code).toBe(0);
    expect(existsSync(join(keysDir(ws), "openai"))).toBe(false);
    const again = await runCli(ws, ["keys", "rm", "openai"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/ALEPH_E_VAULT: no key "openai"/);
  });

  test("ALEPH_CREDENTIALS_DIR moves the vault", async () => {
    const ws = createVaultWorkspace();
    const elsewhere = join(ws.base, "elsewhere", "vault");
    await setKey(ws, "moved", SECRET, { ALEPH_CREDENTIALS_DIR: elsewhere });
    expect(statSync(elsewhere).mode & 0o777).toBe(0o700);
    expect(existsSync(join(keysDir(ws), "moved"))).toBe(false);
    expect((await runCli(ws, ["keys", "get", "moved"], { env: { ALEPH_CREDENTIALS_DIR: elsewhere } })).stdout).toBe(`${SECRET}\n`);
  });

  // CPU-bound: two derivations at the real cost, in two CLI runs; a loaded 2-core machine needs time.
  test("with ALEPH_VAULT_PASSPHRASE the value is encrypted at rest at the default cost (ALEPH_VAULT_KDF_TEST_COST alone changes nothing) and round-trips", { timeout: 120_000 }, async () => {
    const ws = createWorkspace();
    delete ws.env.NODE_ENV; // as a user's shell has it (vitest sets NODE_ENV=test, and the CLI would inherit it)
    const env = { ALEPH_VAULT_PASSPHRASE: PASS, ALEPH_VAULT_KDF_TEST_COST: "1024" };
    await setKey(ws, "anthropic", SECRET, env);
    const onDisk = readFileSync(join(keysDir(ws), "anthropic"), "utf8");
    expect(onDisk).not.toContain(SECRET);
    expect(onDisk).not.toContain(PASS);
    expect(JSON.parse(onDisk)).toMatchObject({ aleph_vault: 1, encrypted: true, cipher: "aes-256-gcm", kdf: { name: "scrypt", N: 32768, r: 8, p: 1 } });
    expect(statSync(join(keysDir(ws), "anthropic")).mode & 0o777).toBe(0o600);
    expect(await runCliJson(ws, ["keys", "list", "--json"])).toEqual([{ name: "anthropic", encrypted: true }]);
    expect(await runCli(ws, ["keys", "get", "anthropic"], { env })).toMatchObject({ code: 0, stdout: `${SECRET}\n` });
  });

  test("a wrong passphrase, or none, is a clear error (exit 1) that quotes no secret", async () => {
    const ws = createVaultWorkspace();
    await setKey(ws, "anthropic", SECRET, { ALEPH_VAULT_PASSPHRASE: PASS });
    const wrong = await runCli(ws, ["keys", "get", "anthropic"], { env: { ALEPH_VAULT_PASSPHRASE: "not the passphrase" } });
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toBe("");
    expect(wrong.stderr).toContain('ALEPH_E_VAULT: cannot decrypt key "anthropic": wrong ALEPH_VAULT_PASSPHRASE (or the file was altered)');
    const none = await runCli(ws, ["keys", "get", "anthropic"]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('key "anthropic" is encrypted and ALEPH_VAULT_PASSPHRASE is not set');
    for (const result of [wrong, none]) {
      expect(result.stderr).not.toContain(SECRET);
      expect(result.stderr).not.toContain(PASS);
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
    }
  });

  test("a plaintext key still reads with a passphrase set", async () => {
    const ws = createVaultWorkspace();
    await setKey(ws, "plain", SECRET);
    expect((await runCli(ws, ["keys", "get", "plain"], { env: { ALEPH_VAULT_PASSPHRASE: PASS } })).stdout).toBe(`${SECRET}\n`);
  });

  test("set refuses a value given on the command line (exit 2), says to pipe or type it, and never echoes it", async () => {
    const ws = createVaultWorkspace();
    for (const args of [["keys", "set", "openai", SECRET], ["keys", "set", "openai", `--${SECRET}`]]) {
      const result = await runCli(ws, args, { input: "from-stdin\n" });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/never taken from the command line/);
      expect(result.stderr).toMatch(/pipe it in/);
      expect(result.stderr).toMatch(/type it/);
      expect(result.stdout + result.stderr).not.toContain(SECRET);
    }
    expect(existsSync(join(keysDir(ws), "openai"))).toBe(false);
  });

  test("set with empty stdin stores nothing (exit 1)", async () => {
    const ws = createVaultWorkspace();
    const result = await runCli(ws, ["keys", "set", "openai"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/the input was empty/);
    expect(existsSync(join(keysDir(ws), "openai"))).toBe(false);
  });

  test("bad key names are refused by every command and never become paths", async () => {
    const ws = createVaultWorkspace();
    for (const name of ["a/b", "..", "../escape", ""]) {
      for (const command of ["set", "get", "rm"]) {
        const result = await runCli(ws, ["keys", command, name], { input: "value\n" });
        expect(result.code, `keys ${command} ${JSON.stringify(name)}`).toBe(1);
        expect(result.stderr).toMatch(/ALEPH_E_INVALID_ID: key name/);
      }
    }
    expect(existsSync(join(ws.root, "escape"))).toBe(false);
    expect(existsSync(keysDir(ws)) ? readdirSync(keysDir(ws)) : []).toEqual([]);
  });
});

describe("keys:<name> references", () => {
  /** A plugin that logs its config value every way it can, and reports a hash of it. */
  function probe(ws: Workspace): void {
    writePlugin(join(ws.userDir, "probe"), {
      id: "probe",
      code: `import { createHash } from "node:crypto";
export default {
  async setup(ctx) {
    const value = ctx.config.greeting;
    ctx.log.info("probe sees " + value, { value, nested: { deeper: value } });
    ctx.log.debug("debug line with " + value, { value });
    ctx.log.warn(\`warn line with \${value}\`);
    await ctx.events.emit("probe.value", { value, sha256: createHash("sha256").update(value).digest("hex"), length: value.length });
  },
};
`,
    });
  }

  test("resolve at aleph start, and the secret never reaches logs, stderr or the event stream, even at debug", async () => {
    const ws = createVaultWorkspace();
    const env = { ALEPH_VAULT_PASSPHRASE: PASS, ALEPH_LOG: "debug" };
    await setKey(ws, "anthropic", SECRET, { ALEPH_VAULT_PASSPHRASE: PASS });
    await setKey(ws, "greeting", `${SECRET}-greeting`);
    writeFileSync(join(ws.root, "providers.toml"), `[providers.claude]\nprotocol = "anthropic"\napi_key = "keys:anthropic"\n`, { mode: 0o600 });
    ws.writeConfig(`[probe]\ngreeting = "keys:greeting"\n`);
    probe(ws);

    const kernel = startKernel(ws, [], { env });
    await kernel.ready();
    const seen = await kernel.waitForEvent("probe.value");
    // The plugin got the value from the vault (its hash), though the key is not named like a secret.
    expect(seen.payload).toMatchObject({ sha256: sha256(`${SECRET}-greeting`), length: `${SECRET}-greeting`.length, value: "[redacted]" });
    await kernel.stop();

    const files = logs(ws);
    expect(files["gateway.log"]).toMatch(/probe sees \[redacted\]/);
    expect(files["gateway.log"]).toMatch(/"level":20/); // debug lines were written
    for (const [name, text] of Object.entries({ ...files, stderr: kernel.stderr, stdout: kernel.events.map((e) => JSON.stringify(e)).join("\n") })) {
      expect(text, name).not.toContain(SECRET);
      expect(text, name).not.toContain(PASS);
    }
  });

  test("an encrypted key without the passphrase stops aleph start with the key path and line", async () => {
    const ws = createVaultWorkspace();
    await setKey(ws, "anthropic", SECRET, { ALEPH_VAULT_PASSPHRASE: PASS });
    writeFileSync(join(ws.root, "providers.toml"), `# credentials\n[providers.claude]\nprotocol = "anthropic"\napi_key = "keys:anthropic"\n`, { mode: 0o600 });
    const result = await runCli(ws, ["start", "--no-watch"], { env: { ALEPH_VAULT_PASSPHRASE: "wrong" } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/providers\.toml:4: providers\.claude\.api_key: references keys:anthropic: cannot decrypt key "anthropic": wrong ALEPH_VAULT_PASSPHRASE/);
    expect(result.stderr).not.toContain(SECRET);
  });

  test("config check reports keys:missing with file:line, like an unset ${VAR}", async () => {
    const ws = createVaultWorkspace();
    ws.writeConfig(`[gateway]\nport = 18790\n\n[interfaces.telegram]\ntoken = "keys:missing"\n`);
    const result = await runCli(ws, ["config", "check"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${ws.configFile}:5: interfaces.telegram.token: references keys:missing: no key "missing"`);
    expect(result.stderr).toMatch(/aleph keys set missing/);
    const json = await runCliJson(ws, ["config", "check", "--json"], 1);
    expect(json.errors).toEqual([expect.objectContaining({ file: ws.configFile, path: "interfaces.telegram.token", line: 5 })]);

    await setKey(ws, "missing", SECRET);
    const fixed = await runCli(ws, ["config", "check"]);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(fixed.stdout + fixed.stderr).not.toContain(SECRET);
  });

  test("a bad key name in a reference (path separator, .., NUL) is a config issue", async () => {
    const ws = createVaultWorkspace();
    writeFileSync(join(ws.base, "outside"), SECRET);
    ws.writeConfig(`[hello]\na = "keys:../../outside"\nb = "keys:.."\nc = "keys:x\\u0000y"\n`);
    const json = await runCliJson(ws, ["config", "check", "--json"], 1);
    expect(json.errors.map((e: { path: string; line: number }) => [e.path, e.line])).toEqual([
      ["hello.a", 2],
      ["hello.b", 3],
      ["hello.c", 4],
    ]);
    expect(JSON.stringify(json)).not.toContain(SECRET);
  });
});
