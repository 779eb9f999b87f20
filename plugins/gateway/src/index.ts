import { existsSync } from "node:fs";
import { definePlugin, identityRef, keyFile } from "@aleph/plugin-sdk";
import { gatewayConfigSchema } from "./config.js";
import { startGatewayServer } from "./server.js";
import { ensureGatewayToken, GATEWAY_TOKEN_KEY, vaultLocation } from "./token.js";

/*
 * The gateway plugin's entry (a daemon: only the kernel of `aleph start` loads it). Enabled by
 * default, so it is imported at every start and kept small: it listens, and makes sure the vault
 * holds the token. Everything it serves is in dist/runtime.js, imported on the first request
 * (docs/gateway.md).
 */
export default definePlugin({
  // The [gateway] section of config.toml.
  config: gatewayConfigSchema,

  async setup(ctx) {
    const config = ctx.config;
    if (!config.enabled) {
      ctx.log.info("gateway disabled ([gateway] enabled = false)");
      return;
    }
    // (A non-loopback host without auth never gets here: the config schema refuses it, ALEPH_E_CONFIG.)
    const vault = vaultLocation(ctx.paths.root);
    // A missing token is generated once the kernel is ready, not during the start: writing a key
    // (fsync, scrypt with a passphrase) takes longer than everything else here. Until then nobody
    // can hold a token anyway, so nothing is lost.
    if (!existsSync(keyFile(vault.dir, GATEWAY_TOKEN_KEY))) {
      ctx.onReady(async () => {
        if ((await ensureGatewayToken(vault)) !== undefined) ctx.log.info("generated a gateway token: aleph gateway token prints it", { vault: vault.dir });
      });
    }

    // identity.override lasts until it is cleared or its session is deleted (docs/gateway.md):
    // the clearing is here, not in the runtime, so it holds in a generation no client has used yet.
    ctx.events.on("session.deleted", ({ key }) => {
      ctx.services.getOptional(identityRef)?.setSessionOverride(key, null);
    });

    // Clients are told why the gateway goes: Aleph stopping (1001, going away) or a restart (1012:
    // a config change, a reload), after which they reconnect.
    let stopping = false;
    ctx.events.on("kernel.stopping", () => void (stopping = true));
    const server = await startGatewayServer(ctx, { config, vault });
    ctx.onDispose(() => server.close(stopping ? 1001 : 1012));
    // Where it listens is written down once the kernel is ready (a moment later), off the start's
    // clock like the token: the port is taken already, so nothing can take it meanwhile.
    ctx.onReady(() => server.announce());
  },
});
