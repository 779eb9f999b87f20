import { definePlugin, importSibling, toolsRef } from "@aleph/plugin-sdk";
import { webFetchConfigSchema, type WebFetchConfig } from "./config.js";
import { WEB_FETCH_SPEC, type WebFetchArgs } from "./tool-spec.js";

/*
 * The web-fetch plugin's entry, imported at every start: it registers web_fetch with the tools
 * service. Its code (HTTP, DNS, the SSRF guard, HTML to text) is in dist/runtime.js, imported on
 * the first call, so a kernel that never fetches pays nothing for it.
 */
const runtimeModule = () => importSibling<typeof import("./runtime.js")>(import.meta.url, "runtime");

export default definePlugin({
  // The [tools.web] section of config.toml.
  config: webFetchConfigSchema,

  setup(ctx) {
    const tools = ctx.services.getOptional(toolsRef);
    if (!tools) return; // nobody to offer the tool to

    let config: WebFetchConfig = ctx.config;
    ctx.onConfigChange((next) => {
      config = next; // read on each call: a new allowance or limit applies from the next fetch
    });
    const env = { config: () => config, log: ctx.log };

    const registration = tools.register(
      {
        ...WEB_FETCH_SPEC,
        handler: async (args: WebFetchArgs, context) => (await runtimeModule()).webFetch(env, args, context),
      },
      ctx.id,
    );
    ctx.onDispose(() => registration.dispose());
  },
});
