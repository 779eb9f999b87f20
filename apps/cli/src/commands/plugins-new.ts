import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { UsageError, type Command } from "../command.js";
import { pluginIdFromName } from "../plugin-name.js";
import { nodePluginTemplate } from "../templates/node-plugin.js";
import { wasmPluginTemplate } from "../templates/wasm-plugin.js";

declare const __ALEPH_VERSION__: string;
const VERSION = typeof __ALEPH_VERSION__ === "string" ? __ALEPH_VERSION__ : "0.1.0";

export const pluginsNewCommand: Command = {
  name: "plugins new",
  args: "<name>",
  summary: "Create a plugin project (TypeScript; --wasm for AssemblyScript) that builds with npm",
  details: [
    "Creates ./<name> (or --dir) with a manifest, source, a test using the SDK's test kit, and a README.",
    "<name> becomes the directory, the package name and the plugin id: lowercase letters, digits and \"-\",",
    "starting with a letter or digit, at most 64 characters (e.g. word-smith).",
    "Then: cd <name> && npm install && npm run build && npm test; link it into ~/.aleph/plugins/ to hot-load it.",
    "While developing, entry = \"src/index.ts\" in its aleph_plugin.toml runs the source unbuilt (see the comment there).",
    "Never writes into an existing directory.",
  ].join("\n"),
  options: {
    wasm: { type: "boolean", description: "An AssemblyScript (WASM) plugin instead of TypeScript" },
    dir: { type: "string", value: "path", description: "Where to create it (default ./<name>)" },
  },
  run({ args, options, cwd, out }) {
    const [name, ...extra] = args;
    if (!name || extra.length > 0) throw new UsageError("expected one plugin name");
    const id = pluginIdFromName(name);
    const target = resolve(cwd, typeof options.dir === "string" ? options.dir : id);
    if (existsSync(target)) throw new Error(`${target} already exists; choose another name or --dir (nothing was written)`);
    const range = `^${VERSION}`;
    const files = options.wasm
      ? wasmPluginTemplate(id, { sdk: range, kernel: range, wasmHost: range, pdk: range })
      : nodePluginTemplate(id, { sdk: range, kernel: range });
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(target, path)), { recursive: true });
      writeFileSync(join(target, path), text, { flag: "wx" });
    }
    out(`Created ${target}:\n${Object.keys(files).map((f) => `  ${f}`).join("\n")}\n\nNext:\n  cd ${target}\n  npm install && npm run build && npm test\n  ln -s "$PWD" ~/.aleph/plugins/${id}\n`);
    return 0;
  },
};
