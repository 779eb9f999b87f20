import { createCipheriv, createDecipheriv, randomBytes, scrypt, scryptSync, type ScryptOptions } from "node:crypto";
import { chmodSync, readdirSync, readFileSync, statSync, unlinkSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fsyncDirSync, writeFileAtomic } from "./atomic-write.js";
import { GROUP_OTHER_BITS, mkdirPrivateSync, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from "./private-fs.js";
import { AlephError } from "./errors.js";
import { validateId } from "./ids.js";

/*
 * The keys vault: one file per key in the credentials directory (`keys/`, or
 * ALEPH_CREDENTIALS_DIR), the directory 0700, each file 0600, written atomically.
 *
 * A file is a small JSON envelope, versioned:
 *   plaintext  {"aleph_vault":1,"encrypted":false,"value":"…"}
 *   encrypted  {"aleph_vault":1,"encrypted":true,"cipher":"aes-256-gcm",
 *               "kdf":{"name":"scrypt","N":32768,"r":8,"p":1},"salt":"<b64>","iv":"<b64>",
 *               "tag":"<b64>","ciphertext":"<b64>"}
 * The AES-256-GCM key is derived from the passphrase with scrypt and a random 16-byte salt per
 * file; the IV is a random 12 bytes per write. A file that is not an envelope (one written by
 * hand: `printf %s "$KEY" > keys/openai`) is read as a plaintext value, minus one trailing newline.
 *
 * Nothing here ever puts a value or the passphrase into an error message.
 */

/** The environment variable whose value encrypts and decrypts the vault. */
export const VAULT_PASSPHRASE_ENV = "ALEPH_VAULT_PASSPHRASE";

/** The envelope version this SDK writes (and the only one it reads). */
export const VAULT_FORMAT_VERSION = 1;

/** scrypt cost for new files: about 50–100 ms per key on a laptop, 32 MiB of memory. */
export const VAULT_KDF_DEFAULTS = { N: 32_768, r: 8, p: 1 } as const;

/**
 * TEST-ONLY: the scrypt N for new encrypted keys, so test suites do not spend seconds per key.
 * Honoured only under a test runner (NODE_ENV=test or VITEST set) and ignored everywhere else, so
 * a stray export cannot weaken a real vault. Reading is unaffected: each file records its own cost.
 */
export const VAULT_KDF_TEST_COST_ENV = "ALEPH_VAULT_KDF_TEST_COST";

/** The lowest N a file may record (and the test cost may ask for). */
const MIN_KDF_N = 1024;

const ID_KIND = "key name";
const SALT_BYTES = 16;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

export interface KeyInfo {
  name: string;
  /** True when the file is encrypted (it needs ALEPH_VAULT_PASSPHRASE to be read). */
  encrypted: boolean;
}

interface KdfParams {
  name: "scrypt";
  N: number;
  r: number;
  p: number;
}

interface PlainEnvelope {
  aleph_vault: number;
  encrypted: false;
  value: string;
}

interface EncryptedEnvelope {
  aleph_vault: number;
  encrypted: true;
  cipher: "aes-256-gcm";
  kdf: KdfParams;
  salt: string;
  iv: string;
  tag: string;
  ciphertext: string;
}

type Parsed = { kind: "plain"; value: string } | { kind: "encrypted"; envelope: EncryptedEnvelope };

/** An empty ALEPH_VAULT_PASSPHRASE counts as unset. */
function effective(passphrase: string | undefined): string | undefined {
  return passphrase === undefined || passphrase === "" ? undefined : passphrase;
}

/** The file holding key `name` in `dir` (the name is validated first). */
export function keyFile(dir: string, name: string): string {
  return join(dir, validateId(ID_KIND, name));
}

function vaultError(message: string, file: string | undefined, fix: string): AlephError {
  return new AlephError("ALEPH_E_VAULT", message, { file, fix });
}

function notFound(dir: string, name: string): AlephError {
  return vaultError(`no key "${name}" in the vault ${dir}`, undefined, `\`aleph keys list\` shows the stored names; \`aleph keys set ${name}\` stores this one`);
}

function scryptOptions(kdf: { N: number; r: number; p: number }): ScryptOptions {
  // Node's default maxmem (32 MiB) is just short of N=2^15, r=8; allow what the params need.
  return { N: kdf.N, r: kdf.r, p: kdf.p, maxmem: 256 * kdf.N * kdf.r + 1024 * 1024 };
}

function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 1 && (n & (n - 1)) === 0;
}

/** Bounds the KDF cost a file may ask for (at most 256 MiB), so an altered file cannot make a read take minutes. */
function checkKdf(kdf: unknown): kdf is KdfParams {
  if (typeof kdf !== "object" || kdf === null) return false;
  const { name, N, r, p } = kdf as Record<string, unknown>;
  return (
    name === "scrypt" &&
    typeof N === "number" && isPowerOfTwo(N) && N >= MIN_KDF_N && N <= 1_048_576 &&
    typeof r === "number" && Number.isInteger(r) && r >= 1 && r <= 32 &&
    typeof p === "number" && Number.isInteger(p) && p >= 1 && p <= 16 &&
    128 * N * r <= 256 * 1024 * 1024
  );
}

function isBase64(value: unknown, bytes?: number): value is string {
  if (typeof value !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) return false;
  return bytes === undefined || Buffer.from(value, "base64").length === bytes;
}

/** The envelope in a file's text, or undefined when the text is not one (a hand-written value). */
function envelopeOf(text: string): Record<string, unknown> | undefined {
  if (!text.trimStart().startsWith("{")) return undefined;
  try {
    const data: unknown = JSON.parse(text);
    return typeof data === "object" && data !== null && !Array.isArray(data) && "aleph_vault" in data ? (data as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Reads a file's content as an envelope, or as a hand-written plaintext value. */
function parseContent(text: string, name: string, file: string): Parsed {
  const envelope = envelopeOf(text);
  if (!envelope) return { kind: "plain", value: text.replace(/\r?\n$/, "") };
  const broken = (what: string) =>
    vaultError(`key file "${name}" is not a valid vault file: ${what}`, file, `store the key again with \`aleph keys set ${name}\``);
  if (envelope.aleph_vault !== VAULT_FORMAT_VERSION) {
    throw vaultError(
      `key file "${name}" has vault format ${JSON.stringify(envelope.aleph_vault)}; this version of Aleph reads format ${VAULT_FORMAT_VERSION}`,
      file,
      "upgrade Aleph, or store the key again with `aleph keys set`",
    );
  }
  if (envelope.encrypted === false) {
    if (typeof envelope.value !== "string") throw broken("no string value");
    return { kind: "plain", value: envelope.value };
  }
  if (envelope.encrypted !== true) throw broken('"encrypted" is neither true nor false');
  if (envelope.cipher !== "aes-256-gcm") throw broken(`unsupported cipher ${JSON.stringify(envelope.cipher)}`);
  if (!checkKdf(envelope.kdf)) throw broken("unsupported or out-of-range key derivation parameters");
  if (!isBase64(envelope.salt) || Buffer.from(envelope.salt, "base64").length < 8) throw broken("bad salt");
  if (!isBase64(envelope.iv, IV_BYTES)) throw broken("bad iv");
  if (!isBase64(envelope.tag, TAG_BYTES)) throw broken("bad tag");
  if (!isBase64(envelope.ciphertext)) throw broken("bad ciphertext");
  return { kind: "encrypted", envelope: envelope as unknown as EncryptedEnvelope };
}

function decrypt(envelope: EncryptedEnvelope, key: Buffer, name: string, file: string): string {
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(envelope.iv, "base64"), { authTagLength: TAG_BYTES });
    decipher.setAuthTag(Buffer.from(envelope.tag, "base64"));
    const plain = Buffer.concat([decipher.update(Buffer.from(envelope.ciphertext, "base64")), decipher.final()]);
    return new TextDecoder("utf-8", { fatal: true }).decode(plain);
  } catch {
    // The cause is deliberately dropped: nothing of the key material travels with the error.
    throw vaultError(
      `cannot decrypt key "${name}": wrong ${VAULT_PASSPHRASE_ENV} (or the file was altered)`,
      file,
      `set ${VAULT_PASSPHRASE_ENV} to the passphrase the key was stored with, or store it again with \`aleph keys set ${name}\``,
    );
  } finally {
    key.fill(0);
  }
}

function needPassphrase(name: string, file: string): AlephError {
  return vaultError(
    `key "${name}" is encrypted and ${VAULT_PASSPHRASE_ENV} is not set`,
    file,
    `set ${VAULT_PASSPHRASE_ENV} to the passphrase the key was stored with`,
  );
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === "ENOENT" || code === "ENOTDIR";
}

/**
 * The value of key `name`. An encrypted key needs the passphrase; a plaintext key is read with or
 * without one. Throws ALEPH_E_INVALID_ID for a bad name, ALEPH_E_VAULT otherwise (missing key,
 * passphrase missing or wrong, altered file) — never quoting the value.
 */
export async function readKey(dir: string, name: string, passphrase?: string): Promise<string> {
  const file = keyFile(dir, name);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw isMissing(error) ? notFound(dir, name) : error;
  }
  const sealed = unsealable(text, name, file, passphrase);
  if (typeof sealed === "string") return sealed;
  const { envelope, secret } = sealed;
  const key = await new Promise<Buffer>((resolve, reject) => {
    scrypt(secret, Buffer.from(envelope.salt, "base64"), KEY_BYTES, scryptOptions(envelope.kdf), (error, derived) => (error ? reject(error) : resolve(derived)));
  });
  return decrypt(envelope, key, name, file);
}

/** A plaintext key's value, or what decrypting it needs (the passphrase is required then). */
function unsealable(text: string, name: string, file: string, passphrase: string | undefined) {
  const parsed = parseContent(text, name, file);
  if (parsed.kind === "plain") return parsed.value;
  const secret = effective(passphrase);
  if (secret === undefined) throw needPassphrase(name, file);
  return { envelope: parsed.envelope, secret };
}

/** Synchronous twin of readKey, for config loading (which is synchronous). */
export function readKeySync(dir: string, name: string, passphrase?: string): string {
  const file = keyFile(dir, name);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw isMissing(error) ? notFound(dir, name) : error;
  }
  const sealed = unsealable(text, name, file, passphrase);
  if (typeof sealed === "string") return sealed;
  const { envelope, secret } = sealed;
  return decrypt(envelope, scryptSync(secret, Buffer.from(envelope.salt, "base64"), KEY_BYTES, scryptOptions(envelope.kdf)), name, file);
}

/**
 * The scrypt cost for new encrypted keys: VAULT_KDF_DEFAULTS, or under a test runner only, the N
 * that ALEPH_VAULT_KDF_TEST_COST asks for (a power of two from 1024 up to the default's N).
 */
export function vaultKdfForNewKeys(env: NodeJS.ProcessEnv = process.env): { N: number; r: number; p: number } {
  const raw = env[VAULT_KDF_TEST_COST_ENV];
  const underTest = env.NODE_ENV === "test" || (env.VITEST !== undefined && env.VITEST !== "");
  if (raw === undefined || raw === "" || !underTest) return VAULT_KDF_DEFAULTS;
  const N = Number(raw);
  if (!isPowerOfTwo(N) || N < MIN_KDF_N || N > VAULT_KDF_DEFAULTS.N) {
    throw vaultError(
      `${VAULT_KDF_TEST_COST_ENV}=${JSON.stringify(raw)} is not a power of two from ${MIN_KDF_N} to ${VAULT_KDF_DEFAULTS.N}`,
      undefined,
      `set it to e.g. ${MIN_KDF_N} (it is a test-only setting), or unset it`,
    );
  }
  return { ...VAULT_KDF_DEFAULTS, N };
}

/** Builds the envelope for a value: encrypted when a passphrase is given, plaintext otherwise. */
export async function sealValue(value: string, passphrase?: string, kdf: { N: number; r: number; p: number } = vaultKdfForNewKeys()): Promise<string> {
  const secret = effective(passphrase);
  if (secret === undefined) {
    const plain: PlainEnvelope = { aleph_vault: VAULT_FORMAT_VERSION, encrypted: false, value };
    return JSON.stringify(plain) + "\n";
  }
  const salt = randomBytes(SALT_BYTES);
  const iv = randomBytes(IV_BYTES);
  const key = await new Promise<Buffer>((resolve, reject) => {
    scrypt(secret, salt, KEY_BYTES, scryptOptions(kdf), (error, derived) => (error ? reject(error) : resolve(derived)));
  });
  try {
    const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
    const ciphertext = Buffer.concat([cipher.update(value, "utf8"), cipher.final()]);
    const envelope: EncryptedEnvelope = {
      aleph_vault: VAULT_FORMAT_VERSION,
      encrypted: true,
      cipher: "aes-256-gcm",
      kdf: { name: "scrypt", N: kdf.N, r: kdf.r, p: kdf.p },
      salt: salt.toString("base64"),
      iv: iv.toString("base64"),
      tag: cipher.getAuthTag().toString("base64"),
      ciphertext: ciphertext.toString("base64"),
    };
    return JSON.stringify(envelope) + "\n";
  } finally {
    key.fill(0);
  }
}

/** Creates the vault directory 0700 (and its missing parents) and tightens an existing one that others could read. */
export function ensureVaultDir(dir: string): void {
  mkdirPrivateSync(dir);
  if ((statSync(dir).mode & GROUP_OTHER_BITS) !== 0) chmodSync(dir, PRIVATE_DIR_MODE);
}

/**
 * Stores `value` as key `name`, replacing any previous value atomically (file 0600, directory
 * 0700). With a passphrase the value is encrypted (fresh salt and IV on every write); without
 * one it is stored in plaintext. The value must not be empty.
 */
export async function writeKey(dir: string, name: string, value: string, passphrase?: string): Promise<void> {
  const file = keyFile(dir, name);
  if (typeof value !== "string" || value.length === 0) {
    throw vaultError(`the value for key "${name}" is empty`, undefined, "give a non-empty value");
  }
  const sealed = await sealValue(value, passphrase);
  ensureVaultDir(dir);
  await writeFileAtomic(file, sealed, { mode: PRIVATE_FILE_MODE });
}

/** Whether key `name` exists and is encrypted (undefined when it does not exist). Never decrypts or validates. */
export async function keyInfo(dir: string, name: string): Promise<KeyInfo | undefined> {
  const file = keyFile(dir, name);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
  return { name, encrypted: envelopeOf(text)?.encrypted === true };
}

/**
 * The keys in the vault, sorted by name, with whether each is encrypted. Never decrypts. Files
 * that cannot be keys (temp files, other names, directories) are skipped; a vault that does not
 * exist is empty.
 */
export async function listKeys(dir: string): Promise<KeyInfo[]> {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
  const out: KeyInfo[] = [];
  for (const name of names.sort()) {
    if (name.startsWith(".")) continue;
    try {
      validateId(ID_KIND, name);
      if (!statSync(join(dir, name)).isFile()) continue;
    } catch {
      continue;
    }
    const info = await keyInfo(dir, name);
    if (info) out.push(info);
  }
  return out;
}

/** Deletes key `name`; ALEPH_E_VAULT when there is none. */
export async function removeKey(dir: string, name: string): Promise<void> {
  const file = keyFile(dir, name);
  try {
    unlinkSync(file);
  } catch (error) {
    if (isMissing(error)) throw notFound(dir, name);
    throw error;
  }
  fsyncDirSync(dir);
}
