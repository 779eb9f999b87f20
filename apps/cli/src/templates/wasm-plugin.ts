import { alephDependencies, packagesReadme, withTools, type AlephPackageSource, type ProjectPackages } from "./aleph-packages.js";

/**
 * The @aleph packages of an AssemblyScript plugin project: the PDK, the test kit (which brings
 * the kernel, the Node loader and the SDK) and the WASM host the kit runs plugin.wasm with.
 */
export const WASM_PROJECT_PACKAGES: ProjectPackages = {
  dependencies: ["@aleph/wasm-pdk"],
  devDependencies: ["@aleph/testing", "@aleph/wasm-host"],
  closure: ["@aleph/wasm-pdk", "@aleph/testing", "@aleph/wasm-host", "@aleph/kernel", "@aleph/node-host", "@aleph/plugin-sdk"],
};

/** The files of a new AssemblyScript plugin (`aleph plugins new <name> --wasm`), keyed by path. */
export function wasmPluginTemplate(id: string, from: AlephPackageSource): Record<string, string> {
  return {
    "aleph_plugin.toml": `[plugin]
id = "${id}"
version = "0.1.0"
description = "A WASM plugin for Aleph"
kind = "wasm"
entry = "plugin.wasm"
api = "^1"

[services]
requires = []                  # services aleph_call may reach; nothing else is reachable

[limits]
timeout_ms = 2000              # a call running longer is stopped
memory_mb = 16

[[hooks]]
event = "${id}.ping"
handler = "on_ping"

[[tools]]
name = "${id.replace(/-/g, "_")}_echo"
description = "Echoes its text back"
handler = "echo"
parameters = { type = "object", properties = { text = { type = "string" } }, required = ["text"] }
`,
    "package.json": JSON.stringify(
      {
        name: id,
        version: "0.1.0",
        private: true,
        type: "module",
        scripts: {
          build: "asc assembly/index.ts --outFile plugin.wasm --optimize --use abort=assembly/index/myAbort",
          // The tests load what ships (plugin.wasm), so they build it first.
          pretest: "npm run build",
          test: "vitest run",
        },
        ...withTools(alephDependencies(from, WASM_PROJECT_PACKAGES), { assemblyscript: "0.28.8", vitest: "4.1.12" }),
      },
      null,
      2,
    ) + "\n",
    "assembly/tsconfig.json": `{ "extends": "assemblyscript/std/assembly.json", "include": ["./**/*.ts"] }\n`,
    ".gitignore": "node_modules/\nplugin.wasm\n",
    "assembly/index.ts": `// Each export named in aleph_plugin.toml (and activate / deactivate) is called with JSON input;
// it returns 0, or fails the call with \`return fail("why")\`.
import { config, emit, fail, input, jsonGetString, JsonObject, jsonParseString, log, output, reportAbort } from "@aleph/wasm-pdk";

// The build points AssemblyScript's abort here (--use abort=...), so the host hears why a call trapped.
function myAbort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  reportAbort(message, fileName, line, column);
}

export function activate(): i32 {
  log("info", "${id} ready");
  return 0;
}

/** Hook for ${id}.ping {from}: answers ${id}.pong {to, greeting}. */
export function on_ping(): i32 {
  const from = jsonGetString(input(), "from");
  if (from === null) return fail('${id}.ping needs a string "from"');
  let greeting = "Hello";
  const configured = config("greeting");
  if (configured !== null) {
    const value = jsonParseString(configured);
    if (value !== null) greeting = value;
  }
  emit("${id}.pong", new JsonObject().str("to", from).str("greeting", greeting).toString());
  return 0;
}

/** Tool: echoes {text} back. */
export function echo(): i32 {
  const text = jsonGetString(input(), "text");
  if (text === null) return fail('echo needs a string "text"');
  output(new JsonObject().str("text", text).toString());
  return 0;
}
`,
    "test/plugin.test.ts": `import { fileURLToPath } from "node:url";
import { afterEach, expect, it } from "vitest";
import { assertPluginConformance, createTestKernel, type TestKernel } from "@aleph/testing";

const dir = fileURLToPath(new URL("..", import.meta.url));
let kernel: TestKernel | undefined;
afterEach(async () => kernel?.stop());

it("answers a ping with its configured greeting", async () => {
  kernel = await createTestKernel({ plugins: [dir], config: { "${id}": { greeting: "Hi" } } });
  expect(kernel.plugin("${id}")?.status).toBe("active");
  await kernel.emit("${id}.ping", { from: "test" });
  expect(await kernel.waitFor("${id}.pong")).toEqual({ to: "test", greeting: "Hi" });
});

it("loads, reloads and unloads without leaving anything behind", async () => {
  await assertPluginConformance(dir);
});
`,
    "README.md": `# ${id}

An Aleph WASM plugin in AssemblyScript (Extism), built with @aleph/wasm-pdk.

\`\`\`sh
npm install
npm run build      # plugin.wasm
npm test           # builds, then runs plugin.wasm in a real kernel in-process
\`\`\`

Link the directory into the user plugin path; every build of plugin.wasm reloads it:

\`\`\`sh
ln -s "$PWD" ~/.aleph/plugins/${id}
\`\`\`

The manifest declares everything the module may reach (services, paths, hosts, limits). The ABI and
the PDK are described in \`docs/plugins.md\` ("WASM plugins") in the Aleph repository.
${packagesReadme(from, WASM_PROJECT_PACKAGES)}`,
  };
}
