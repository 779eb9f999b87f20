import { describe, expect, it } from "vitest";
import { LOCAL_PACKAGES_DIR, PUBLIC_PACKAGES, type AlephPackageSource } from "./aleph-packages.js";
import { commandWordFor, NODE_PROJECT_PACKAGES, nodePluginTemplate } from "./node-plugin.js";
import { WASM_PROJECT_PACKAGES, wasmPluginTemplate } from "./wasm-plugin.js";

const allAt = (version: string) => Object.fromEntries(PUBLIC_PACKAGES.map((name) => [name, version])) as AlephPackageSource["versions"];
const versions: AlephPackageSource = { source: "registry", versions: allAt("1.0.0") };
const local: AlephPackageSource = { source: "local", versions: { ...allAt("0.1.0"), "@aleph/wasm-pdk": "0.2.0" } };

interface ProjectJson {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  overrides?: Record<string, string>;
}
const projectJson = (files: Record<string, string>) => JSON.parse(files["package.json"]!) as ProjectJson;

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

  it("from a checkout, links the packed tarballs as file: specs and overrides the whole @aleph closure with them", () => {
    for (const [files, project] of [
      [nodePluginTemplate("word-smith", local), NODE_PROJECT_PACKAGES],
      [wasmPluginTemplate("echo-wasm", local), WASM_PROJECT_PACKAGES],
    ] as const) {
      const json = projectJson(files);
      const aleph = (deps: Record<string, string>) => Object.keys(deps).filter((name) => name.startsWith("@aleph/"));
      expect(aleph(json.dependencies)).toEqual(project.dependencies);
      expect(aleph(json.devDependencies)).toEqual(project.devDependencies);
      for (const name of [...project.dependencies, ...project.devDependencies]) {
        const spec = json.dependencies[name] ?? json.devDependencies[name];
        expect(spec).toBe(`file:${LOCAL_PACKAGES_DIR}/${name.slice(1).replace("/", "-")}-${local.versions[name]}.tgz`);
        // npm refuses an override of a direct dependency unless it refers to the same spec.
        expect(json.overrides?.[name]).toBe(`$${name}`);
      }
      expect(Object.keys(json.overrides ?? {}).sort()).toEqual([...project.closure].sort());
      expect(json.overrides?.["@aleph/kernel"]).toBe(`file:${LOCAL_PACKAGES_DIR}/aleph-kernel-0.1.0.tgz`);
    }
    expect(projectJson(wasmPluginTemplate("echo-wasm", local)).dependencies["@aleph/wasm-pdk"]).toBe("file:aleph-packages/aleph-wasm-pdk-0.2.0.tgz");
  });

  it("from a checkout, the README gives the one line that switches to the published packages; from the registry, plain ranges", () => {
    expect(nodePluginTemplate("word-smith", local)["README.md"]).toContain(
      "npm pkg delete overrides && npm install @aleph/plugin-sdk@^0.1.0 && npm install -D @aleph/testing@^0.1.0 && rm -r aleph-packages\n",
    );
    expect(wasmPluginTemplate("echo-wasm", local)["README.md"]).toContain(
      "npm pkg delete overrides && npm install @aleph/wasm-pdk@^0.2.0 && npm install -D @aleph/testing@^0.1.0 @aleph/wasm-host@^0.1.0 && rm -r aleph-packages\n",
    );
    const published = projectJson(nodePluginTemplate("word-smith", versions));
    expect(published.dependencies["@aleph/plugin-sdk"]).toBe("^1.0.0");
    expect(published.devDependencies["@aleph/testing"]).toBe("^1.0.0");
    expect(published.overrides).toBeUndefined();
    expect(nodePluginTemplate("word-smith", versions)["README.md"]).not.toContain(LOCAL_PACKAGES_DIR);
  });

  it("the TypeScript manifest declares one command and the source implements it under the same words", () => {
    const files = nodePluginTemplate("word-smith", versions);
    expect(files["aleph_plugin.toml"]).toMatch(/^\[\[commands\]\]\nname = "word-smith greet"$/m);
    expect(files["src/index.ts"]).toContain('"word-smith greet": async (cmd) => {');
    expect(files["aleph_plugin.toml"]).toMatch(/^provides = \["word-smith"\]/m);
    expect(files["src/index.ts"]).toContain('createServiceRef<Greeter>("word-smith")');
  });

  it("the command's first word is the plugin id unless the id cannot be a command word", () => {
    expect(commandWordFor("word-smith")).toBe("word-smith");
    expect(commandWordFor("status")).toBe("plugin-status");
    expect(commandWordFor("1password")).toBe("plugin-1password");
    expect(commandWordFor("a".repeat(40))).toBe(`plugin-${"a".repeat(25)}`);
  });
});
