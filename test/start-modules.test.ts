/*
 * What `aleph start` loads on its way to kernel.ready, recorded by a module loader hook: zod's
 * classic API must not be among it. The kernel and the bundled plugins write their schemas with
 * zod/mini (@aleph/zod/mini); one classic import on the start path brings back the module and its
 * heavy schema instances (they were half of the start heap, ~10 ms of every start).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { expect, test } from "vitest";
import { createWorkspace, startKernel } from "./support/aleph.js";

test("a fresh workspace's aleph start loads zod/mini and never zod's classic API", { timeout: 60_000 }, async () => {
  const ws = createWorkspace();
  const record = join(ws.base, "loaded.txt");
  writeFileSync(record, "");
  writeFileSync(join(ws.base, "recorder.mjs"), `import { appendFileSync } from "node:fs";\nexport async function load(url, context, next) { appendFileSync(${JSON.stringify(record)}, url + "\\n"); return next(url, context); }\n`);
  writeFileSync(join(ws.base, "register.mjs"), `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(join(ws.base, "recorder.mjs")).href)});\n`);
  const kernel = startKernel(ws, ["--no-watch"], { env: { NODE_OPTIONS: `--import ${pathToFileURL(join(ws.base, "register.mjs")).href}` } });
  await kernel.ready();
  await kernel.stop();
  const loaded = readFileSync(record, "utf8").split("\n").filter(Boolean);
  const zod = loaded.filter((url) => /\/packages\/zod\/dist\/|\/node_modules\/zod\//.test(url));
  expect(zod.some((url) => url.endsWith("/packages/zod/dist/mini.js")), `zod modules loaded: ${zod.join(", ")}`).toBe(true);
  expect(zod.filter((url) => url.endsWith("/packages/zod/dist/index.js") || url.includes("/node_modules/zod/"))).toEqual([]);
});
