/** The files of a new TypeScript plugin (`aleph plugins new <name>`), keyed by path. */
export function nodePluginTemplate(id: string, versions: { sdk: string; kernel: string }): Record<string, string> {
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
provides = []
requires = []
optional = []
`,
    "package.json": JSON.stringify(
      {
        name: id,
        version: "0.1.0",
        private: true,
        type: "module",
        main: "dist/index.js",
        scripts: {
          build: "tsup src/index.ts --format esm --target node20 --clean --external @aleph/plugin-sdk",
          dev: "tsup src/index.ts --format esm --target node20 --external @aleph/plugin-sdk --watch",
          test: "vitest run",
          typecheck: "tsc --noEmit",
        },
        dependencies: { "@aleph/plugin-sdk": versions.sdk },
        devDependencies: { "@aleph/kernel": versions.kernel, "@types/node": "^20.19.0", tsup: "8.5.0", typescript: "5.9.3", vitest: "4.1.12" },
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
    "src/index.ts": `import { definePlugin, z } from "@aleph/plugin-sdk";

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
    ctx.events.on("${id}.ping", async ({ from }) => {
      await ctx.events.emit("${id}.pong", { to: from, greeting: ctx.config.greeting });
    });
    ctx.log.info("ready", { generation: ctx.generation });
  },
});
`,
    "test/plugin.test.ts": `import { fileURLToPath } from "node:url";
import { afterEach, expect, it } from "vitest";
import { assertPluginConformance, createTestKernel, type TestKernel } from "@aleph/plugin-sdk/testing";

const dir = fileURLToPath(new URL("..", import.meta.url));
let kernel: TestKernel | undefined;
afterEach(async () => kernel?.stop());

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
npm test           # a real kernel in-process (@aleph/plugin-sdk/testing)
\`\`\`

Try it in a running Aleph: link the directory into the user plugin path and edit away — every
build reloads it (\`npm run dev\` rebuilds on save):

\`\`\`sh
ln -s "$PWD" ~/.aleph/plugins/${id}
aleph start --events json
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
(\`aleph_plugin.toml\`), \`setup(ctx)\`, services and events, the test kit, and hot reload.
`,
  };
}
