import { definePlugin, protocolsRef, providersRef } from "@aleph/plugin-sdk";
import { providersConfigSchema, type ProvidersConfig } from "./config.js";
import { watchCustomProtocols } from "./protocols/custom-protocols.js";
import { ProtocolRegistry } from "./protocols/registry.js";
import { createProtocolsService } from "./protocols-service.js";
import { lazyProvidersService } from "./lazy-providers.js";

export default definePlugin({
  // providers.toml's [providers.<name>] tables (config_key = "providers" in the manifest).
  config: providersConfigSchema,

  async setup(ctx) {
    let config: ProvidersConfig = ctx.config;
    // A credential or provider change applies in place: the next call uses it, a call in flight finishes on the old one.
    ctx.onConfigChange((next) => {
      config = next;
      ctx.log.info("providers changed", { providers: Object.keys(next) });
    });
    const protocols = new ProtocolRegistry();
    await watchCustomProtocols(ctx, protocols);
    ctx.services.provide(protocolsRef, createProtocolsService(protocols));
    ctx.services.provide(
      providersRef,
      lazyProvidersService({
        config: () => config,
        protocols,
        keyOrigin: (name) => ctx.configOrigin(`providers.${name}.api_key`, { file: "providers" }),
        log: ctx.log,
      }),
    );
  },
});
