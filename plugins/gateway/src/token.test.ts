import { mkdtempSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readKey } from "@aleph/plugin-sdk";
import { ensureGatewayToken, GATEWAY_TOKEN_KEY, vaultLocation } from "./token.js";

describe("the gateway token", () => {
  it("is generated once, 0600, even by racing generators: one wins, the others keep its token", async () => {
    const vault = { dir: join(mkdtempSync(join(tmpdir(), "aleph-vault-")), "keys"), passphrase: undefined };
    const results = await Promise.all(Array.from({ length: 8 }, () => ensureGatewayToken(vault)));
    const generated = results.filter((r) => r !== undefined);
    expect(generated).toHaveLength(1);
    expect(generated[0]).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await readKey(vault.dir, GATEWAY_TOKEN_KEY)).toBe(generated[0]);
    expect(readdirSync(vault.dir)).toEqual([GATEWAY_TOKEN_KEY]); // no temp file left
    expect(statSync(join(vault.dir, GATEWAY_TOKEN_KEY)).mode & 0o777).toBe(0o600);
    expect(statSync(vault.dir).mode & 0o777).toBe(0o700);
    expect(await ensureGatewayToken(vault)).toBeUndefined();
  });

  it("is encrypted with ALEPH_VAULT_PASSPHRASE when set", async () => {
    const vault = { dir: join(mkdtempSync(join(tmpdir(), "aleph-vault-")), "keys"), passphrase: "correct horse" };
    const token = await ensureGatewayToken(vault);
    await expect(readKey(vault.dir, GATEWAY_TOKEN_KEY)).rejects.toMatchObject({ code: "ALEPH_E_VAULT" });
    expect(await readKey(vault.dir, GATEWAY_TOKEN_KEY, "correct horse")).toBe(token);
  });

  it("lives where the kernel keeps the vault: ALEPH_CREDENTIALS_DIR (relative to the cwd) or <root>/keys", () => {
    expect(vaultLocation("/r", {}, "/cwd")).toEqual({ dir: "/r/keys", passphrase: undefined });
    expect(vaultLocation("/r", { ALEPH_CREDENTIALS_DIR: "creds", ALEPH_VAULT_PASSPHRASE: "" }, "/cwd")).toEqual({ dir: "/cwd/creds", passphrase: undefined });
    expect(vaultLocation("/r", { ALEPH_CREDENTIALS_DIR: "/abs", ALEPH_VAULT_PASSPHRASE: "p" }, "/cwd")).toEqual({ dir: "/abs", passphrase: "p" });
  });
});
