/*
 * What `aleph start` loads on its way to kernel.ready, recorded by a module loader hook: zod's
 * classic API must not be among it. The kernel and the bundled plugins write their schemas with
 * zod/mini (@aleph/zod/mini); one classic import on the start path brings back the module and its
 * heavy schema instances (they were half of the start heap, ~10 ms of every start).
 */
import { expect, test } from "vitest";
import { createWorkspace, startKernel } from "./support/aleph.js";
import { moduleRecorder } from "./support/module-loads.js";

test("a fresh workspace's aleph start loads zod/mini and never zod's classic API", { timeout: 60_000 }, async () => {
  const ws = createWorkspace();
  const recorder = moduleRecorder(ws);
  const kernel = startKernel(ws, ["--no-watch"], { env: recorder.env });
  await kernel.ready();
  await kernel.stop();
  const zod = recorder.loaded().filter((url) => /\/packages\/zod\/dist\/|\/node_modules\/zod\//.test(url));
  expect(zod.some((url) => url.endsWith("/packages/zod/dist/mini.js")), `zod modules loaded: ${zod.join(", ")}`).toBe(true);
  expect(zod.filter((url) => url.endsWith("/packages/zod/dist/index.js") || url.includes("/node_modules/zod/"))).toEqual([]);
});
