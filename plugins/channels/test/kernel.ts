/*
 * A real kernel for the channels plugin's tests: the real sessions, providers, agent and chat
 * plugins (skills when asked), a scripted fake model on 127.0.0.1, the channels plugin from its
 * dist, and a small channel plugin that registers a FakePlatform with the routing a test gives.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { channelsRef, definePlugin, type ChannelRouting, type ChannelsService } from "@aleph/plugin-sdk";
import { createTestKernel, startFakeModelServer, type FakeModelServer, type FakeTurn, type TestKernel, type TestPlugin } from "@aleph/testing";
import { FakePlatform } from "./fake-platform.js";

const here = dirname(fileURLToPath(import.meta.url));
export const pluginDir = (name: string) => dirname(fileURLToPath(import.meta.resolve(`@aleph/plugin-${name}/aleph_plugin.toml`)));
export const channelsDir = join(here, "..");
export const skillsDir = pluginDir("skills");

export const routing = (partial: Partial<ChannelRouting> = {}): ChannelRouting => ({ agent: "main", allow_from: [], allow_groups: [], group_trigger: "mention", ...partial });

/** A channel plugin registering `platform` (the same object across reloads: the platform outlives the plugin). */
export function channelPlugin(platform: FakePlatform, route: () => ChannelRouting, id = "fake-channel"): TestPlugin {
  return {
    manifest: { plugin: { id, version: "1.0.0" }, services: { requires: ["channels"] } },
    definition: definePlugin({
      setup(ctx) {
        const registration = ctx.services.get(channelsRef).register(platform, { plugin: ctx.id, routing: route() });
        ctx.onDispose(async () => {
          registration.dispose();
          await registration.stopped();
        });
      },
    }),
  };
}

export interface Setup {
  kernel: TestKernel;
  model: FakeModelServer;
  platform: FakePlatform;
  channels: ChannelsService;
  root: string;
  /** Changes the routing the channel registers with next time (a reload). */
  route: ChannelRouting;
}

export interface SetupOptions {
  turns?: FakeTurn[];
  routing?: Partial<ChannelRouting>;
  skills?: boolean;
  root?: string;
  /** Extra plugins (kept after the standard ones). */
  plugins?: TestPlugin[];
  /** Leave out the fake channel plugin. */
  noChannel?: boolean;
  config?: string;
}

const cleanups: (() => Promise<void>)[] = [];

/** Stops everything the tests of a file started (call in afterEach). */
export async function cleanup(): Promise<void> {
  for (const fn of cleanups.splice(0).reverse()) await fn().catch(() => undefined);
}

export async function setup(options: SetupOptions = {}): Promise<Setup> {
  const model = await startFakeModelServer(options.turns ?? []);
  cleanups.push(() => model.close());
  const root = options.root ?? mkdtempSync(join(tmpdir(), "aleph-channels-"));
  writeFileSync(join(root, "providers.toml"), `[providers.fake]\nprotocol = "openai"\nmodel = "fake-model"\nbase_url = "${model.baseUrls.openai}"\nmax_retries = 0\n`, { mode: 0o600 });
  const platform = new FakePlatform();
  const state = { route: routing(options.routing) };
  const plugins: TestPlugin[] = [pluginDir("sessions"), pluginDir("providers"), pluginDir("agent"), pluginDir("chat"), ...(options.skills ? [skillsDir] : []), channelsDir];
  if (!options.noChannel) plugins.push(channelPlugin(platform, () => state.route));
  plugins.push(...(options.plugins ?? []));
  const kernel = await createTestKernel({ root, plugins, ...(options.config ? { config: options.config } : {}) });
  cleanups.push(() => kernel.stop());
  const channels = kernel.service(channelsRef);
  if (!channels) throw new Error(`the channels plugin is not active: ${JSON.stringify(kernel.plugin("channels"))}`);
  if (!options.noChannel) await kernel.waitFor("channel.status", (s) => s.name === "fake" && s.state === "running");
  return {
    kernel,
    model,
    platform,
    channels,
    root,
    get route() {
      return state.route;
    },
    set route(value) {
      state.route = value;
    },
  };
}

/** Waits until `check` holds (polling), failing with `what` after `timeoutMs`. */
export async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The user messages of the model requests, in order (what the agent was asked). */
export function askedTexts(model: FakeModelServer): string[] {
  return model.requests.map((r) => {
    const messages = (r.body.messages as { role: string; content: unknown }[]) ?? [];
    const last = [...messages].reverse().find((m) => m.role === "user");
    return typeof last?.content === "string" ? last.content : JSON.stringify(last?.content ?? "");
  });
}

/** gateway.log once it holds a line matching `pattern` (the logger writes in the background). */
export async function logLine(root: string, pattern: RegExp, timeoutMs = 10_000): Promise<string> {
  const file = join(root, "logs", "gateway.log");
  let text = "";
  await until(() => {
    try {
      text = readFileSync(file, "utf8");
    } catch {
      return false;
    }
    return pattern.test(text);
  }, `gateway.log to show ${pattern}`, timeoutMs);
  return text;
}
