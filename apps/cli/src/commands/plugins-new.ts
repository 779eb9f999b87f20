import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { UsageError, type Command } from "../command.js";
import { pluginIdFromName } from "../plugin-name.js";
import { LOCAL_PACKAGES_DIR, PUBLIC_PACKAGES, type AlephPackageSource, type ProjectPackages } from "../templates/aleph-packages.js";
import { checkoutOf, checkoutVersions, packCheckoutPackages } from "../templates/checkout-packages.js";
import { NODE_PROJECT_PACKAGES, nodePluginTemplate } from "../templates/node-plugin.js";
import { WASM_PROJECT_PACKAGES, wasmPluginTemplate } from "../templates/wasm-plugin.js";

declare const __ALEPH_VERSION__: string;
const VERSION = typeof __ALEPH_VERSION__ === "string" ? __ALEPH_VERSION__ : "0.1.0";

export const pluginsNewCommand: Command = {
  name: "plugins new",
  args: "<name>",
  summary: "Create a plugin project (TypeScript; --wasm for AssemblyScript) that builds with npm",
  details: [
    "Creates ./<name> (or --dir) with a manifest, source, a command, a test using the test kit (@aleph/testing), and a README.",
    "<name> becomes the directory, the package name and the plugin id: lowercase letters, digits and \"-\",",
    "starting with a letter or digit, at most 64 characters (e.g. word-smith).",
    "Then: cd <name> && npm install && npm run build && npm test; link it into ~/.aleph/plugins/ to hot-load it.",
    "While developing, entry = \"src/index.ts\" in its aleph_plugin.toml runs the source unbuilt (see the comment there).",
    "Run from an Aleph checkout (built with pnpm build), it packs the checkout's @aleph packages with pnpm pack into",
    `<name>/${LOCAL_PACKAGES_DIR}/ and links them as file: dependencies, so npm install needs no registry copy of them;`,
    "the project's README gives the one line that switches to the published packages.",
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
    const project: ProjectPackages = options.wasm ? WASM_PROJECT_PACKAGES : NODE_PROJECT_PACKAGES;
    // Packed before anything is written, so a failure leaves no half-made project behind.
    const local = packLocalPackages(project);
    try {
      const from: AlephPackageSource = local ? { source: "local", versions: local.versions } : { source: "registry", versions: registryVersions() };
      const files = options.wasm ? wasmPluginTemplate(id, from) : nodePluginTemplate(id, from);
      for (const [path, text] of Object.entries(files)) {
        mkdirSync(dirname(join(target, path)), { recursive: true });
        writeFileSync(join(target, path), text, { flag: "wx" });
      }
      if (local) {
        mkdirSync(join(target, LOCAL_PACKAGES_DIR));
        for (const file of local.tarballs) copyFileSync(join(local.dir, file), join(target, LOCAL_PACKAGES_DIR, file));
      }
      const created = [...Object.keys(files), ...(local ? local.tarballs.map((file) => `${LOCAL_PACKAGES_DIR}/${file}`) : [])];
      out(`Created ${target}:\n${created.map((f) => `  ${f}`).join("\n")}\n\nNext:\n  cd ${target}\n  npm install && npm run build && npm test\n  ln -s "$PWD" ~/.aleph/plugins/${id}\n`);
    } finally {
      if (local) rmSync(local.dir, { recursive: true, force: true });
    }
    return 0;
  },
};

/** The checkout's packages packed into a temp directory, when this CLI runs from a checkout. */
function packLocalPackages(project: ProjectPackages): { dir: string; tarballs: string[]; versions: AlephPackageSource["versions"] } | undefined {
  const checkout = checkoutOf(fileURLToPath(import.meta.url));
  if (!checkout) return undefined;
  const dir = mkdtempSync(join(tmpdir(), "aleph-packs-"));
  try {
    return { dir, tarballs: packCheckoutPackages(checkout, project.closure, dir), versions: checkoutVersions(checkout) };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** An installed CLI's own version for every package: they are released together. */
function registryVersions(): AlephPackageSource["versions"] {
  return Object.fromEntries(PUBLIC_PACKAGES.map((name) => [name, VERSION])) as AlephPackageSource["versions"];
}
