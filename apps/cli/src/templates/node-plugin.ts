import { RESERVED_COMMAND_WORDS } from "@aleph/plugin-sdk";
import { alephDependencies, packagesReadme, withTools, type AlephPackageSource, type ProjectPackages } from "./aleph-packages.js";

/** The @aleph packages of a TypeScript plugin project: the SDK, and the test kit (which brings the kernel and the Node loader). */
export const NODE_PROJECT_PACKAGES: ProjectPackages = {
  dependencies: ["@aleph/plugin-sdk"],
  devDependencies: ["@aleph/testing"],
  closure: ["@aleph/plugin-sdk", "@aleph/testing", "@aleph/kernel", "@aleph/node-host"],
};

/**
 * The first word of the scaffold's command: the plugin id when it is a valid command word that the
 * kernel does not reserve, else the id behind a "plugin-" prefix (an id may start with a digit, be
 * 64 characters long, or be "status"; a command word may not).
 */
export function commandWordFor(id: string): string {
  const reserved: readonly string[] = RESERVED_COMMAND_WORDS;
  if (/^[a-z][a-z0-9-]{0,31}$/.test(id) && !reserved.includes(id)) return id;
  return `plugin-${id}`.slice(0, 32).replace(/-+$/, "");
}

/** The files of a new TypeScript plugin (`aleph plugins new <name>`), keyed by path. */
export function nodePluginTemplate(id: string, from: AlephPackageSource): Record<string, string> {
  const command = `${commandWordFor(id)} greet`;
  return {
    "aleph_plugin.toml": `[plugin]
id = "${id}"
version = "0.1.0"
description = "A plugin for Aleph"
kind = "node"
# The build (npm run build): what a release ships. While developing, switch to
#   entry = "src/index.ts"
# to run the TypeScript source with no build step: Aleph compiles it as it loads (tsx) and reloads
# the plugin whenever you save one of its modules. Switch back before you publish.
entry = "dist/index.js"
api = "^1"

[services]
provides = ["${id}"]           # its service: see greeterRef in src/index.ts
requires = []
optional = []

# A command it adds to the aleph CLI: \`aleph ${command} Ada --shout\`. Declared here so
# \`aleph --help\` and usage errors need no plugin code; implemented in src/index.ts.
[[commands]]
name = "${command}"
summary = "Greet someone with the configured greeting"
args = [{ name = "who", summary = "Whom to greet (default: world)" }]
options = [{ name = "shout", type = "boolean", summary = "In capitals" }]
services = []                  # services the handler calls besides this plugin's own
`,
    "package.json": JSON.stringify(
      {
        name: id,
        version: "0.1.0",
        private: true,
        type: "module",
        main: "dist/index.js",
        scripts: {
          // aleph-config-schema writes the config schema as data (dist/config.schema.json) for `aleph config check`.
          build: "tsup src/index.ts --format esm --target node20 --clean --external @aleph/plugin-sdk && aleph-config-schema",
          dev: "tsup src/index.ts --format esm --target node20 --external @aleph/plugin-sdk --watch",
          // The tests load what ships (dist/index.js), so they build it first.
          pretest: "npm run build",
          test: "vitest run",
          typecheck: "tsc --noEmit",
        },
        ...withTools(alephDependencies(from, NODE_PROJECT_PACKAGES), { "@types/node": "^20.19.0", tsup: "8.5.0", typescript: "5.9.3", vitest: "4.1.12" }),
      },
      null,
      2,
    ) + "\n",
    "tsconfig.json": `{
  "compilerOptions": {
    "target": "ES2023",
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "strict": true,
    "skipLibCheck": true,
    "noEmit": true,
    "types": ["node"]
  },
  "include": ["src", "test"]
}
`,
    ".gitignore": "node_modules/\ndist/\n",
    "src/index.ts": `import { createServiceRef, definePlugin, z } from "@aleph/plugin-sdk";

/** The service this plugin provides; another plugin declares requires = ["${id}"] and uses this ref. */
export interface Greeter {
  greet(name: string): string;
}
export const greeterRef = createServiceRef<Greeter>("${id}");

// Events this plugin handles, added to the SDK's typed event map.
declare module "@aleph/plugin-sdk" {
  interface AlephEvents {
    "${id}.ping": { from: string };
    "${id}.pong": { to: string; greeting: string };
  }
}

export default definePlugin({
  // The [${id}] section of config.toml.
  config: z.object({
    greeting: z.string().default("Hello"),
  }),

  setup(ctx) {
    ctx.services.provide(greeterRef, { greet: (name) => \`\${ctx.config.greeting}, \${name}!\` });
    ctx.events.on("${id}.ping", async ({ from }) => {
      await ctx.events.emit("${id}.pong", { to: from, greeting: ctx.config.greeting });
    });
    ctx.log.info("ready", { generation: ctx.generation });
  },

  // The [[commands]] of aleph_plugin.toml. A handler runs in the aleph process and reaches the
  // plugin through cmd.kernel (the running kernel, or one started for this command): every
  // service call is a promise there.
  commands: {
    "${command}": async (cmd) => {
      const text = await cmd.kernel.service(greeterRef).greet(String(cmd.args.who ?? "world"));
      cmd.out((cmd.options.shout ? text.toUpperCase() : text) + "\\n");
    },
  },
});
`,
    "test/plugin.test.ts": `import { fileURLToPath } from "node:url";
import { afterEach, expect, it } from "vitest";
import { assertPluginConformance, createTestKernel, type TestKernel } from "@aleph/testing";
import { greeterRef } from "../src/index.js";

const dir = fileURLToPath(new URL("..", import.meta.url));
let kernel: TestKernel | undefined;
afterEach(async () => kernel?.stop());

it("greets through its service with the configured greeting", async () => {
  kernel = await createTestKernel({ plugins: [dir], config: { "${id}": { greeting: "Hi" } } });
  expect(kernel.service(greeterRef)?.greet("Ada")).toBe("Hi, Ada!");
});

it("answers a ping with its configured greeting", async () => {
  kernel = await createTestKernel({ plugins: [dir], config: { "${id}": { greeting: "Hi" } } });
  await kernel.emit("${id}.ping", { from: "test" });
  expect(await kernel.waitFor("${id}.pong")).toEqual({ to: "test", greeting: "Hi" });
});

it("loads, reloads and unloads without leaving anything behind", async () => {
  await assertPluginConformance(dir);
});
`,
    "README.md": `# ${id}

An Aleph plugin (TypeScript).

\`\`\`sh
npm install
npm run build      # dist/index.js
npm test           # builds, then runs it in a real kernel in-process (@aleph/testing)
\`\`\`

Try it in a running Aleph: link the directory into the user plugin path and edit away — every
build reloads it (\`npm run dev\` rebuilds on save):

\`\`\`sh
ln -s "$PWD" ~/.aleph/plugins/${id}
aleph start --events json
\`\`\`

Its command works with the kernel running and without one (then Aleph starts a kernel with just
this plugin and what it needs, for the one command):

\`\`\`sh
aleph ${command} Ada --shout
\`\`\`

## Develop without a build

Set \`entry = "src/index.ts"\` in \`aleph_plugin.toml\` and Aleph runs the TypeScript source as it
is: it compiles each module as it loads (with tsx; types are removed, not checked — \`npm run
typecheck\` does that) and reloads the plugin when you save \`src/index.ts\` or a module it imports.
No \`npm run dev\` needed. Write relative imports as \`./greet.js\` for \`src/greet.ts\`, as TypeScript
expects: the type checker, the build and Aleph all find the .ts file. The plugin's
\`tsconfig.json\` is not read while it runs this way (no \`paths\` aliases).

For a release, set \`entry = "dist/index.js"\` again and ship the build: it loads faster (nothing to
compile, no compiler in the kernel) and is exactly the code you tested.

The plugin-author guide is \`docs/plugins.md\` in the Aleph repository: the manifest
(\`aleph_plugin.toml\`), \`setup(ctx)\`, services and events, commands, the test kit, and hot reload.
${packagesReadme(from, NODE_PROJECT_PACKAGES)}`,
  };
}
