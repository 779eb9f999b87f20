import { definePlugin, toolsRef, z } from "@aleph/plugin-sdk";
import { createGreeter, greeterRef } from "./greeter.js";

// The events this plugin handles and emits, added to the SDK's typed event map.
declare module "@aleph/plugin-sdk" {
  interface AlephEvents {
    "hello.greet": { name: string };
    "hello.greeted": { name: string; text: string; generation: number };
  }
}

export default definePlugin({
  // The [hello] section of config.toml, validated before setup runs.
  config: z.object({
    greeting: z.string().min(1).default("Hello"),
    punctuation: z.string().max(3).default("!"),
  }),

  setup(ctx) {
    const greeter = createGreeter({ ...ctx.config });
    ctx.services.provide(greeterRef, greeter);

    ctx.events.on("hello.greet", async ({ name }) => {
      const text = greeter.greet(name);
      ctx.log.info("greeted", { name });
      await ctx.events.emit("hello.greeted", { name, text, generation: ctx.generation });
    });

    // A tool for agents, when a tools registry is active; unregistered when this plugin unloads.
    const tools = ctx.services.getOptional(toolsRef);
    if (tools) {
      const registration = tools.register(
        {
          name: "word_count",
          description: "Counts the words of a text",
          parameters: { type: "object", properties: { text: { type: "string" } }, required: ["text"], additionalProperties: false },
          handler: ({ text }: { text: string }) => ({ count: text.split(/\s+/).filter(Boolean).length }),
        },
        ctx.id,
      );
      ctx.onDispose(() => registration.dispose());
    }

    // Apply a config change in place instead of being reloaded.
    ctx.onConfigChange((config) => {
      Object.assign(greeter.settings, config);
    });

    ctx.log.info("hello-node ready", { greeting: ctx.config.greeting });
  },

  // The [[commands]] of aleph_plugin.toml. A handler runs in the aleph process, not in setup's
  // context: it reaches the plugin through cmd.kernel (the running kernel, or one started with
  // just this plugin for the command), where every service method returns a promise.
  commands: {
    "hello greet": async (cmd) => {
      const text = await cmd.kernel.service(greeterRef).greet(String(cmd.args.who ?? "world"));
      cmd.out((cmd.options.shout ? text.toUpperCase() : text) + "\n");
    },
  },
});
