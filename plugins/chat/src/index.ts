import { chatRef, definePlugin } from "@aleph/plugin-sdk";
import * as z from "@aleph/zod/mini";
import { createChatStore, DEFAULT_MAX_MESSAGE_BYTES } from "./chat-store.js";
import { logCommand } from "./commands/log.js";
import { postCommand } from "./commands/post.js";


export default definePlugin({
  // `aleph chat …`, declared in aleph_plugin.toml's [[commands]]; they reach the store only through the kernel handle.
  commands: {
    "chat log": logCommand,
    "chat post": postCommand,
  },

  // The [chat] section of config.toml.
  config: z.object({
    /** Largest message content, in UTF-8 bytes of its JSON serialisation. */
    max_message_bytes: z._default(z.number().check(z.int(), z.minimum(1), z.maximum(16 * 1024 * 1024)), DEFAULT_MAX_MESSAGE_BYTES).check(z.describe("largest message content (bytes of its JSON)")),
    /** fsync each appended message (durable across power loss, not only process crashes). */
    fsync: z._default(z.boolean(), true).check(z.describe("fsync each message (durable across power loss)")),
  }),

  setup(ctx) {
    const store = createChatStore({
      root: ctx.paths.root,
      settings: { ...ctx.config },
      log: ctx.log,
      // Fire and forget: the poster's acknowledgement does not wait for subscribers.
      onPosted: (message) => void ctx.events.emit("chat.message.posted", { chatId: message.chatId, message }),
    });
    const { dispose, settings, ...service } = store;
    ctx.services.provide(chatRef, service);
    ctx.onConfigChange((config) => {
      Object.assign(settings, config);
    });
    ctx.onDispose(() => dispose());
  },
});
