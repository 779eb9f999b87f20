import { definePlugin, toolsRef } from "@aleph/plugin-sdk";
import { createToolRegistry } from "./tool-registry.js";

export default definePlugin({
  setup(ctx) {
    ctx.services.provide(toolsRef, createToolRegistry());
  },
});
