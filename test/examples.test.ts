/*
 * One behaviour suite, two implementations: hello-node (TypeScript) and hello-wasm (AssemblyScript,
 * run through the WASM host) must behave the same through the same kernel paths: greet on the
 * hello.greet event, follow their config section, offer word_count through the tools registry,
 * and pass the conformance kit.
 */
import { symlinkSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { toolsRef } from "@aleph/plugin-sdk";
import { createTestKernel, runPluginConformance, type TestKernel } from "@aleph/testing";
import { createWorkspace, runCli, startReadyKernel } from "./support/aleph.js";

const repo = resolve(fileURLToPath(new URL(".", import.meta.url)), "..");
const toolsDir = resolve(repo, "plugins/tools");
const examples = [
  { id: "hello-node", dir: resolve(repo, "plugins/examples/hello-node"), section: "hello", kind: "node" },
  { id: "hello-wasm", dir: resolve(repo, "plugins/examples/hello-wasm"), section: "hello_wasm", kind: "wasm" },
];

let kernel: TestKernel | undefined;
afterEach(async () => {
  await kernel?.stop();
  kernel = undefined;
});

for (const example of examples) {
  describe(`${example.id} (the shared example behaviour)`, () => {
    it("loads as an active plugin of its kind", async () => {
      kernel = await createTestKernel({ plugins: [toolsDir, example.dir] });
      expect(kernel.plugin(example.id)).toMatchObject({ status: "active", kind: example.kind, generation: 1 });
    });

    it("answers hello.greet with hello.greeted, using the default greeting", async () => {
      kernel = await createTestKernel({ plugins: [toolsDir, example.dir] });
      await kernel.emit("hello.greet", { name: "Ada" });
      expect(await kernel.waitFor("hello.greeted", (p) => p.name === "Ada")).toMatchObject({ name: "Ada", text: "Hello, Ada!" });
    });

    it("follows its config section, also when it changes while running", async () => {
      kernel = await createTestKernel({ plugins: [toolsDir, example.dir], config: { [example.section]: { greeting: "Howdy" } } });
      await kernel.emit("hello.greet", { name: "Grace" });
      expect(await kernel.waitFor("hello.greeted", (p) => p.name === "Grace")).toMatchObject({ text: "Howdy, Grace!" });
      const changed = await kernel.writeConfig({ [example.section]: { greeting: "Bonjour" } });
      expect(changed).toEqual({ applied: true, sections: [example.section] });
      await kernel.emit("hello.greet", { name: "Marie" });
      expect(await kernel.waitFor("hello.greeted", (p) => p.name === "Marie")).toMatchObject({ text: "Bonjour, Marie!" });
    });

    it("offers word_count through the tools registry, validated against its schema", async () => {
      kernel = await createTestKernel({ plugins: [toolsDir, example.dir] });
      const tools = kernel.service(toolsRef)!;
      expect(tools.list()).toEqual([expect.objectContaining({ name: "word_count", plugin: example.id })]);
      await expect(tools.call("word_count", { text: "to be or not to be" })).resolves.toEqual({ count: 6 });
      await expect(tools.call("word_count", { text: 5 })).rejects.toMatchObject({ code: "ALEPH_E_TOOL_ARGS" });
    });

    it("passes the conformance kit: load, reload, unload and load again leave nothing behind", async () => {
      const result = await runPluginConformance(example.dir, { plugins: [toolsDir] });
      expect(result.checks.filter((c) => !c.ok)).toEqual([]);
    });
  });
}

describe("hello-node's command (aleph hello greet)", () => {
  it("runs without a kernel and against a running one, following the [hello] section", { timeout: 60_000 }, async () => {
    const ws = createWorkspace({ config: '[hello]\ngreeting = "Howdy"\n' });
    symlinkSync(examples[0]!.dir, join(ws.userDir, "hello-node"));
    const help = await runCli(ws, ["hello", "greet", "--help"]);
    expect(help.stdout).toMatch(/Usage: aleph hello greet \[<who>\]/);
    const offline = await runCli(ws, ["hello", "greet", "Ada", "--shout"]);
    expect(offline.stdout, offline.stderr).toBe("HOWDY, ADA!\n");
    await startReadyKernel(ws);
    const online = await runCli(ws, ["hello", "greet"]);
    expect(online.stdout, online.stderr).toBe("Howdy, world!\n");
    // It reached the running kernel's greeter (a kernel started for one command would count 0).
    expect((await runCli(ws, ["services", "call", "greeter", "count"])).stdout.trim()).toBe("1");
  });
});
