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

  it("the TypeScript manifest ships the build and says how to switch to the source while developing, and the README why to switch back", () => {
    const files = nodePluginTemplate("word-smith", versions);
    const manifest = files["aleph_plugin.toml"]!;
    expect(manifest).toMatch(/^entry = "dist\/index\.js"$/m);
    expect(manifest).toMatch(/^#\s+entry = "src\/index\.ts"$/m);
    expect(files["src/index.ts"]).toBeDefined();
    const readme = files["README.md"]!;
    expect(readme).toContain('`entry = "src/index.ts"`');
    expect(readme).toMatch(/For a release, set `entry = "dist\/index\.js"` again/);
  });
});

