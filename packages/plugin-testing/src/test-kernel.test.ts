import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Kernel } from "@aleph/kernel";
import { createServiceRef, definePlugin, z } from "@aleph/plugin-sdk";
import { afterEach, describe, expect, it } from "vitest";
import { createTestKernel, type TestKernel } from "./index.js";

declare module "@aleph/plugin-sdk" {
  interface AlephEvents {
    "echo.said": { text: string; generation: number };
  }
}

interface Echo {
  say(text: string): string;
}
const echoRef = createServiceRef<Echo>("echo");

const echoPlugin = {
  manifest: { plugin: { id: "echo", version: "1.0.0" }, services: { provides: ["echo"] } },
  definition: definePlugin({
    config: z.object({ prefix: z.string().default("") }),
    setup(ctx) {
      ctx.services.provide(echoRef, {
        say: (text) => {
          void ctx.events.emit("echo.said", { text, generation: ctx.generation });
          return ctx.config.prefix + text;
        },
      });
    },
  }),
};

let kernel: TestKernel | undefined;
afterEach(async () => {
  await kernel?.stop();
  kernel = undefined;
});

describe("createTestKernel", () => {
  it("runs the real kernel with an in-memory plugin and binds its service", async () => {
    kernel = await createTestKernel({ plugins: [echoPlugin], config: { echo: { prefix: "> " } } });
    expect(kernel.kernel).toBeInstanceOf(Kernel);
    expect(kernel.plugin("echo")).toMatchObject({ status: "active", generation: 1 });
    expect(kernel.service(echoRef)?.say("hi")).toBe("> hi");
    expect(kernel.service("nothing")).toBeUndefined();
  });

  it("waits for a future event and finds a past one, typed by the event map", async () => {
    kernel = await createTestKernel({ plugins: [echoPlugin] });
    const later = kernel.waitFor("echo.said", (p) => p.text === "second");
    kernel.service(echoRef)!.say("first");
    kernel.service(echoRef)!.say("second");
    const said: { text: string; generation: number } = await later;
    expect(said).toEqual({ text: "second", generation: 1 });
    expect(await kernel.waitFor("echo.said")).toEqual({ text: "first", generation: 1 });
    expect(kernel.eventsNamed("echo.said").map((p) => p.text)).toEqual(["first", "second"]);
    expect(kernel.eventsNamed("plugin.loaded").map((p) => [p.id, p.generation])).toEqual([["echo", 1]]);
  });

  it("rejects a wait that sees no matching event in time, naming the event", async () => {
    kernel = await createTestKernel({ plugins: [echoPlugin] });
    await expect(kernel.waitFor("echo.said", () => true, 50)).rejects.toThrow('no "echo.said" event within 50 ms');
  });

  it("applies a rewritten config.toml, and a reload gives the next generation", async () => {
    kernel = await createTestKernel({ plugins: [echoPlugin] });
    expect(await kernel.writeConfig({ echo: { prefix: "# " } })).toEqual({ applied: true, sections: ["echo"] });
    expect(kernel.service(echoRef)?.say("x")).toBe("# x");
    await kernel.reload("echo");
    expect(kernel.plugin("echo")?.generation).toBeGreaterThan(1);
    expect(kernel.eventsNamed("plugin.unloaded").some((p) => p.id === "echo" && p.reason === "reload")).toBe(true);
  });

  it("calls a plugin's ctx.watch handler when asked to watch, and leaves it inert by default", async () => {
    const notesPlugin = {
      manifest: { plugin: { id: "notes", version: "1.0.0" } },
      definition: definePlugin({
        async setup(ctx) {
          await ctx.watch("notes", (paths) => ctx.events.emit("notes.changed", { paths })).ready;
          await ctx.events.emit("notes.ready", { watching: ctx.watching });
        },
      }),
    };
    const still = await createTestKernel({ plugins: [notesPlugin] });
    expect(await still.waitFor("notes.ready")).toEqual({ watching: false });
    await still.stop();

    kernel = await createTestKernel({ plugins: [notesPlugin], watch: true });
    expect(await kernel.waitFor("notes.ready")).toEqual({ watching: true });
    mkdirSync(join(kernel.root, "notes"));
    writeFileSync(join(kernel.root, "notes", "a.md"), "a");
    const changed = await kernel.waitFor("notes.changed", (p) => (p.paths as string[]).includes(join(kernel!.root, "notes", "a.md")));
    expect(changed.paths).toContain(join(kernel.root, "notes", "a.md"));
  });

  it("removes its own temp root on stop, and stop twice is harmless", async () => {
    kernel = await createTestKernel();
    const root = kernel.root;
    expect(existsSync(root)).toBe(true);
    await kernel.stop();
    await kernel.stop();
    expect(existsSync(root)).toBe(false);
  });
});
