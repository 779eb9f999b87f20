import { keyInfo, readKey, type CommandInput } from "@aleph/plugin-sdk";
import { ensureGatewayToken, GATEWAY_TOKEN_KEY, vaultLocation } from "../token.js";

/**
 * `aleph gateway token`: prints the gateway's token (vault key gateway-token). It reads the vault
 * itself — no kernel needed — and generates the token when there is none yet, as `aleph init` and
 * a starting gateway do: asking for it is the moment someone needs one.
 */
export async function gatewayTokenCommand(cmd: CommandInput): Promise<number> {
  const vault = vaultLocation(cmd.paths.root, cmd.env, cmd.cwd);
  if (!(await keyInfo(vault.dir, GATEWAY_TOKEN_KEY))) {
    const generated = await ensureGatewayToken(vault);
    if (generated !== undefined) {
      cmd.err(`Generated a gateway token (vault key ${GATEWAY_TOKEN_KEY}${vault.passphrase ? ", encrypted" : ""}); a running gateway uses it from its next login.\n`);
      cmd.out(`${generated}\n`);
      return 0;
    }
  }
  cmd.out(`${await readKey(vault.dir, GATEWAY_TOKEN_KEY, vault.passphrase)}\n`);
  return 0;
}
