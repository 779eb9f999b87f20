import { definePlugin, toolsRef } from "@aleph/plugin-sdk";
import { toolsCall } from "./commands/tools-call.js";
import { toolsList } from "./commands/tools-list.js";
import { createToolRegistry } from "./tool-registry.js";

export default definePlugin({
  setup(ctx) {
    ctx.services.provide(toolsRef, createToolRegistry());
  },
  commands: { "tools list": toolsList, "tools call": toolsCall },
});
