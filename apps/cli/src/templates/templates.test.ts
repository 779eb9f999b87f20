import { describe, expect, it } from "vitest";
import { nodePluginTemplate } from "./node-plugin.js";
import { wasmPluginTemplate } from "./wasm-plugin.js";

const versions = { sdk: "^1.0.0", kernel: "^1.0.0", wasmHost: "^1.0.0", pdk: "^1.0.0" };

describe("plugin project templates", () => {
  it("each README points to the plugin-author guide, docs/plugins.md, and links to no placeholder", () => {
    for (const files of [nodePluginTemplate("word-smith", versions), wasmPluginTemplate("echo-wasm", versions)]) {
      const readme = files["README.md"]!;
      expect(readme).toMatch(/`docs\/plugins\.md`[^\n]* in the Aleph repository/);
      // A link to a bare host (https://github.com/) leads nowhere.
      expect(readme).not.toMatch(/\]\(https?:\/\/[^/)]+\/?\)/);
    }
  });
});
