import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { toolsRef } from "@aleph/plugin-sdk";
import { createTestKernel, runPluginConformance, type TestKernel } from "@aleph/testing";
import { greeterRef, type Greeter } from "../src/greeter.js";

const pluginDir = fileURLToPath(new URL("..", import.meta.url));
let kernel: TestKernel | undefined;
afterEach(async () => {
  await kernel?.stop();
  kernel = undefined;
});

describe("hello-node", () => {
  it("provides a greeter that uses the [hello] config section", async () => {
    kernel = await createTestKernel({ plugins: [pluginDir], config: { hello: { greeting: "Howdy" } } });
    expect(kernel.plugin("hello-node")?.status).toBe("active");
    expect(kernel.service<Greeter>(greeterRef)!.greet("Ada")).toBe("Howdy, Ada!");
  });

  it("answers hello.greet with hello.greeted", async () => {
    kernel = await createTestKernel({ plugins: [pluginDir] });
    await kernel.emit("hello.greet", { name: "Grace" });
    const greeted = await kernel.waitFor("hello.greeted");
    expect(greeted).toEqual({ name: "Grace", text: "Hello, Grace!", generation: 1 });
  });

  it("applies a config change in place, without a reload", async () => {
    kernel = await createTestKernel({ plugins: [pluginDir] });
    const result = await kernel.writeConfig({ hello: { greeting: "Bonjour", punctuation: "." } });
    expect(result).toEqual({ applied: true, sections: ["hello"] });
    expect(kernel.service<Greeter>(greeterRef)!.greet("Marie")).toBe("Bonjour, Marie.");
    expect(kernel.events.some((e) => e.event === "plugin.unloaded")).toBe(false);
  });

  it("refuses an invalid section and names the key and line", async () => {
    kernel = await createTestKernel({ plugins: [pluginDir], config: '[hello]\ngreeting = "Hi"\npunctuation = "!!!!"\n' });
    const info = kernel.plugin("hello-node");
    expect(info?.status).toBe("failed");
    expect(info?.error?.code).toBe("ALEPH_E_CONFIG");
    expect(info?.error?.message).toMatch(/punctuation/);
    expect(info?.error).toMatchObject({ line: 3 });
  });

  it("registers a word_count tool with the tools registry and withdraws it on unload", async () => {
    const toolsDir = fileURLToPath(new URL("../../../tools", import.meta.url));
    kernel = await createTestKernel({ plugins: [pluginDir, toolsDir] });
    const tools = kernel.service(toolsRef)!;
    expect(tools.list().map((t) => [t.name, t.plugin])).toEqual([["word_count", "hello-node"]]);
    await expect(tools.call("word_count", { text: "to be or not" })).resolves.toEqual({ count: 4 });
    await kernel.writeConfig({ extensions: { disabled: ["hello-node"] } });
    expect(tools.list()).toEqual([]);
  });

  it("passes the conformance kit: load, reload, unload and load again leave nothing behind", async () => {
    const toolsDir = fileURLToPath(new URL("../../../tools", import.meta.url));
    const result = await runPluginConformance(pluginDir, { plugins: [toolsDir] });
    expect(result.checks.filter((c) => !c.ok)).toEqual([]);
    expect(result.checks.map((c) => c.name)).toContain("unloading removes everything it registered");
  });

  it("leaves no subscription behind across reloads", async () => {
    kernel = await createTestKernel({ plugins: [pluginDir] });
    const before = kernel.listenerCount();
    for (let i = 0; i < 5; i++) await kernel.reload("hello-node");
    expect(kernel.plugin("hello-node")?.generation).toBe(6);
    expect(kernel.listenerCount()).toBe(before);
    await kernel.emit("hello.greet", { name: "Linus" });
    expect((await kernel.waitFor("hello.greeted")).generation).toBe(6);
  });
});
