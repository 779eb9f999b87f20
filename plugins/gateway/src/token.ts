import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { link, open, unlink } from "node:fs/promises";
import { join, resolve } from "node:path";
import { ensureVaultDir, fsyncDirSync, keyFile, PRIVATE_FILE_MODE, sealValue, VAULT_PASSPHRASE_ENV } from "@aleph/plugin-sdk";

/*
 * The gateway's token: one secret in the keys vault (docs/gateway.md, "Authentication"). `aleph
 * init` generates it; a gateway that starts without one generates it then; `aleph gateway token`
 * prints it (and generates it when there is none yet). Clients present it as a Bearer header, or
 * trade it once for a signed cookie (POST /auth).
 */

/** The vault key holding the token. */
export const GATEWAY_TOKEN_KEY = "gateway-token";

export interface VaultLocation {
  /** The credentials directory: ALEPH_CREDENTIALS_DIR, or `<root>/keys`. */
  dir: string;
  /** ALEPH_VAULT_PASSPHRASE, when set: new keys are encrypted with it, encrypted keys need it. */
  passphrase: string | undefined;
}

/**
 * Where the vault is, resolved as the kernel resolves it (packages/kernel paths.ts): a plugin's
 * ctx.paths does not name it, so the same rule is applied to the same environment.
 */
export function vaultLocation(root: string, env: Readonly<Record<string, string | undefined>> = process.env, cwd: string = process.cwd()): VaultLocation {
  const configured = env.ALEPH_CREDENTIALS_DIR;
  return {
    dir: configured ? resolve(cwd, configured) : join(root, "keys"),
    passphrase: env[VAULT_PASSPHRASE_ENV] || undefined,
  };
}

/** A fresh token: 32 random bytes, base64url (43 characters, safe in a header). */
export function newToken(): string {
  return randomBytes(32).toString("base64url");
}

/**
 * Makes sure the vault holds a token; returns the one it generated, or undefined when one was
 * there already (it is not read here: reading an encrypted key costs a key derivation, which the
 * first client to authenticate pays instead of every start).
 *
 * Created only if absent, atomically: the sealed value is written to a temp file, then hard-linked
 * to the key's name, which fails if the name exists. A gateway starting while `aleph gateway token`
 * runs cannot end with two tokens, one printed and another in force: whoever comes second keeps the
 * first one's. (The SDK's writeKey replaces a key, which is what `aleph keys set` wants.)
 */
export async function ensureGatewayToken(vault: VaultLocation): Promise<string | undefined> {
  const file = keyFile(vault.dir, GATEWAY_TOKEN_KEY);
  if (existsSync(file)) return undefined;
  const token = newToken();
  const sealed = await sealValue(token, vault.passphrase);
  ensureVaultDir(vault.dir);
  // Dot-named: `aleph keys list` skips it while it exists.
  const temp = join(vault.dir, `.${GATEWAY_TOKEN_KEY}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  const handle = await open(temp, "wx", PRIVATE_FILE_MODE);
  try {
    await handle.writeFile(sealed);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(temp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return undefined;
    throw error;
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  fsyncDirSync(vault.dir);
  return token;
}
