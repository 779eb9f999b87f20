import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AlephError } from "./errors.js";
import { useLowVaultKdfCost } from "./testing.js";
import { keyInfo, listKeys, readKey, readKeySync, removeKey, VAULT_KDF_DEFAULTS, VAULT_KDF_TEST_COST_ENV, vaultKdfForNewKeys, writeKey } from "./vault.js";

const SECRET = "sk-test-0123456789abcdef";
const PASS = "correct horse battery staple";

function vaultDir(): string {
  return join(mkdtempSync(join(tmpdir(), "aleph-vault-")), "keys");
}

async function failure(promise: Promise<unknown> | (() => unknown)): Promise<AlephError> {
  try {
    await (typeof promise === "function" ? promise() : promise);
  } catch (error) {
    return error as AlephError;
  }
  throw new Error("expected a failure");
}

// Every key below is derived at the lowest cost (a few ms) instead of the default (~100 ms, far more
// on a loaded machine); one test keeps the default. Each file records its cost, so reads are unaffected.
const TEST_COST = "1024";
let restoreKdfCost: () => void = () => undefined;
beforeAll(() => {
  restoreKdfCost = useLowVaultKdfCost();
});
afterAll(() => restoreKdfCost());

describe("keys vault", () => {
  it("stores a plaintext key 0600 in a 0700 directory, atomically, and reads it back", async () => {
    const dir = vaultDir();
    await writeKey(dir, "openai", SECRET);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, "openai")).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(["openai"]);
    expect(await readKey(dir, "openai")).toBe(SECRET);
    expect(readKeySync(dir, "openai")).toBe(SECRET);
    // A plaintext key reads the same with a passphrase set.
    expect(await readKey(dir, "openai", PASS)).toBe(SECRET);
    expect(await listKeys(dir)).toEqual([{ name: "openai", encrypted: false }]);
  });

  it("tightens an existing vault directory that others can read", async () => {
    const dir = vaultDir();
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    await writeKey(dir, "a", "value-a");
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it("encrypts with a passphrase: the file holds an envelope, never the value", async () => {
    const dir = vaultDir();
    await writeKey(dir, "anthropic", SECRET, PASS);
    const raw = readFileSync(join(dir, "anthropic"), "utf8");
    expect(raw).not.toContain(SECRET);
    expect(raw).not.toContain(PASS);
    const envelope = JSON.parse(raw);
    expect(envelope).toMatchObject({ aleph_vault: 1, encrypted: true, cipher: "aes-256-gcm", kdf: { name: "scrypt", N: Number(TEST_COST), r: 8, p: 1 } });
    expect(Buffer.from(envelope.iv, "base64")).toHaveLength(12);
    expect(Buffer.from(envelope.tag, "base64")).toHaveLength(16);
    expect(Buffer.from(envelope.salt, "base64")).toHaveLength(16);
    expect(await readKey(dir, "anthropic", PASS)).toBe(SECRET);
    expect(readKeySync(dir, "anthropic", PASS)).toBe(SECRET);
    expect(await listKeys(dir)).toEqual([{ name: "anthropic", encrypted: true }]);
    expect(statSync(join(dir, "anthropic")).mode & 0o777).toBe(0o600);
  });

  it("uses a fresh salt and IV on every write", async () => {
    const dir = vaultDir();
    await writeKey(dir, "k", SECRET, PASS);
    const first = JSON.parse(readFileSync(join(dir, "k"), "utf8"));
    await writeKey(dir, "k", SECRET, PASS);
    const second = JSON.parse(readFileSync(join(dir, "k"), "utf8"));
    expect(second.salt).not.toBe(first.salt);
    expect(second.iv).not.toBe(first.iv);
    expect(second.ciphertext).not.toBe(first.ciphertext);
  });

  it("round-trips unicode and multi-line values", async () => {
    const dir = vaultDir();
    const value = "línea 1\nline 2 — ✓ 🔑\n";
    await writeKey(dir, "multi", value, PASS);
    await writeKey(dir, "multi-plain", value);
    expect(await readKey(dir, "multi", PASS)).toBe(value);
    expect(await readKey(dir, "multi-plain")).toBe(value);
  });

  it("a wrong passphrase is a clear ALEPH_E_VAULT error that quotes neither value nor passphrase", async () => {
    const dir = vaultDir();
    await writeKey(dir, "anthropic", SECRET, PASS);
    for (const error of [await failure(readKey(dir, "anthropic", "wrong")), await failure(() => readKeySync(dir, "anthropic", "wrong"))]) {
      expect(error.code).toBe("ALEPH_E_VAULT");
      expect(error.message).toBe('cannot decrypt key "anthropic": wrong ALEPH_VAULT_PASSPHRASE (or the file was altered)');
      expect(error.file).toBe(join(dir, "anthropic"));
      expect(error.cause).toBeUndefined();
      const text = `${error.message} ${error.fix} ${error.stack}`;
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(PASS);
    }
  });

  it("an altered ciphertext or tag fails like a wrong passphrase", async () => {
    const dir = vaultDir();
    await writeKey(dir, "k", SECRET, PASS);
    const file = join(dir, "k");
    const envelope = JSON.parse(readFileSync(file, "utf8"));
    const bytes = Buffer.from(envelope.ciphertext, "base64");
    bytes[0] = bytes[0]! ^ 1;
    writeFileSync(file, JSON.stringify({ ...envelope, ciphertext: bytes.toString("base64") }));
    expect((await failure(readKey(dir, "k", PASS))).message).toMatch(/cannot decrypt key "k": wrong ALEPH_VAULT_PASSPHRASE \(or the file was altered\)/);
  });

  it("refuses out-of-range KDF parameters and unknown versions before doing any work", async () => {
    const dir = vaultDir();
    await writeKey(dir, "k", SECRET, PASS);
    const file = join(dir, "k");
    const envelope = JSON.parse(readFileSync(file, "utf8"));
    writeFileSync(file, JSON.stringify({ ...envelope, kdf: { name: "scrypt", N: 2 ** 30, r: 8, p: 1 } }));
    expect((await failure(readKey(dir, "k", PASS))).message).toMatch(/not a valid vault file: unsupported or out-of-range key derivation/);
    writeFileSync(file, JSON.stringify({ ...envelope, aleph_vault: 99 }));
    expect((await failure(readKey(dir, "k", PASS))).message).toMatch(/vault format 99/);
  });

  it("reading an encrypted key without a passphrase (or with an empty one) is a clear error", async () => {
    const dir = vaultDir();
    await writeKey(dir, "anthropic", SECRET, PASS);
    for (const passphrase of [undefined, ""]) {
      const error = await failure(readKey(dir, "anthropic", passphrase));
      expect(error.code).toBe("ALEPH_E_VAULT");
      expect(error.message).toBe('key "anthropic" is encrypted and ALEPH_VAULT_PASSPHRASE is not set');
    }
  });

  it("an empty passphrase writes plaintext", async () => {
    const dir = vaultDir();
    await writeKey(dir, "k", SECRET, "");
    expect(await keyInfo(dir, "k")).toEqual({ name: "k", encrypted: false });
  });

  it("reads a hand-written plaintext file, minus one trailing newline", async () => {
    const dir = vaultDir();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "manual"), `${SECRET}\n`);
    expect(await readKey(dir, "manual")).toBe(SECRET);
    expect(await listKeys(dir)).toEqual([{ name: "manual", encrypted: false }]);
  });

  it("a missing key is ALEPH_E_VAULT naming the key", async () => {
    const dir = vaultDir();
    const error = await failure(readKey(dir, "nope"));
    expect(error.code).toBe("ALEPH_E_VAULT");
    expect(error.message).toMatch(/no key "nope"/);
    expect((await failure(() => readKeySync(dir, "nope"))).code).toBe("ALEPH_E_VAULT");
    expect((await failure(removeKey(dir, "nope"))).code).toBe("ALEPH_E_VAULT");
  });

  it("refuses empty values", async () => {
    const error = await failure(writeKey(vaultDir(), "k", ""));
    expect(error.code).toBe("ALEPH_E_VAULT");
  });

  it("refuses bad names in every function, before touching the disk", async () => {
    const dir = vaultDir();
    for (const name of ["a/b", "..", "../x", "", "a\0b", ".hidden", "a\\b"]) {
      for (const attempt of [
        () => readKey(dir, name),
        () => readKeySync(dir, name),
        () => writeKey(dir, name, SECRET),
        () => removeKey(dir, name),
        () => keyInfo(dir, name),
      ]) {
        const error = await failure(attempt);
        expect(error.code, JSON.stringify(name)).toBe("ALEPH_E_INVALID_ID");
        expect(error.message).toMatch(/^key name /);
      }
    }
    expect(() => statSync(dir)).toThrow(/ENOENT/);
  });

  it("lists names sorted, skipping temp files, directories and names that cannot be keys; removes keys", async () => {
    const dir = vaultDir();
    expect(await listKeys(dir)).toEqual([]);
    await writeKey(dir, "zeta", "value-z");
    await writeKey(dir, "alpha", "value-a", PASS);
    writeFileSync(join(dir, ".alpha.123.abcd.tmp"), "partial");
    mkdirSync(join(dir, "subdir"));
    writeFileSync(join(dir, "bad name"), "x");
    expect(await listKeys(dir)).toEqual([
      { name: "alpha", encrypted: true },
      { name: "zeta", encrypted: false },
    ]);
    await removeKey(dir, "zeta");
    expect((await listKeys(dir)).map((k) => k.name)).toEqual(["alpha"]);
    expect(await keyInfo(dir, "zeta")).toBeUndefined();
  });
});

describe("the key derivation cost", () => {
  // CPU-bound (two derivations at the real cost): a loaded 2-core machine needs more than 5 s.
  it("new keys use the default cost when no test cost is set, and read back", { timeout: 60_000 }, async () => {
    const dir = vaultDir();
    delete process.env[VAULT_KDF_TEST_COST_ENV];
    try {
      await writeKey(dir, "strong", SECRET, PASS);
    } finally {
      process.env[VAULT_KDF_TEST_COST_ENV] = TEST_COST;
    }
    expect(JSON.parse(readFileSync(join(dir, "strong"), "utf8")).kdf).toEqual({ name: "scrypt", ...VAULT_KDF_DEFAULTS });
    expect(await readKey(dir, "strong", PASS)).toBe(SECRET);
  });

  it("the test cost is honoured only under a test runner (NODE_ENV=test or VITEST), never elsewhere", () => {
    const low = { [VAULT_KDF_TEST_COST_ENV]: "2048" };
    expect(vaultKdfForNewKeys({ ...low, NODE_ENV: "test" })).toEqual({ ...VAULT_KDF_DEFAULTS, N: 2048 });
    expect(vaultKdfForNewKeys({ ...low, VITEST: "true" })).toEqual({ ...VAULT_KDF_DEFAULTS, N: 2048 });
    expect(vaultKdfForNewKeys(low)).toEqual(VAULT_KDF_DEFAULTS);
    expect(vaultKdfForNewKeys({ ...low, NODE_ENV: "production" })).toEqual(VAULT_KDF_DEFAULTS);
    expect(vaultKdfForNewKeys({ NODE_ENV: "test" })).toEqual(VAULT_KDF_DEFAULTS);
  });

  it("a test cost that is not a power of two from 1024 to the default is a clear error", () => {
    for (const bad of ["1000", "512", "65536", "cheap"]) {
      expect(() => vaultKdfForNewKeys({ [VAULT_KDF_TEST_COST_ENV]: bad, NODE_ENV: "test" }), bad).toThrow(/ALEPH_VAULT_KDF_TEST_COST=.* is not a power of two from 1024 to 32768/);
    }
  });
});
