import { definePlugin } from "@aleph/plugin-sdk";

// Placeholder while the plugin is built (issue 16).
export default definePlugin({
  setup() {},
});
