/*
 * The Discord channel's tests run it against the test kit's fake Discord (REST + gateway on
 * 127.0.0.1, speaking Discord's protocol to the real @discordjs clients). Everything started here
 * is stopped after each test.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";
import type { ChannelMessage, ChannelStatus, Logger } from "@aleph/plugin-sdk";
import { startFakeDiscordServer, type FakeDiscordServer, type FakeDiscordServerOptions } from "@aleph/testing";
import { DiscordChannel, type DiscordChannelOptions } from "../src/runtime/discord-channel.js";

export interface LogLine {
  level: string;
  msg: string;
  fields?: Record<string, unknown>;
}

/** A Logger that keeps its lines (the kernel's would write them to a file). */
export function recordingLogger(lines: LogLine[] = []): Logger & { lines: LogLine[] } {
  const at = (level: string) => (msg: string, fields?: Record<string, unknown>) => void lines.push({ level, msg, ...(fields ? { fields } : {}) });
  const logger = { lines, trace: at("trace"), debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error"), child: () => logger };
  return logger;
}

export interface TestChannel {
  channel: DiscordChannel;
  /** Messages delivered to the (stand-in) registry, in order. */
  delivered: ChannelMessage[];
  /** Every status change, in order. */
  statuses: Omit<ChannelStatus, "plugin" | "name">[];
  log: ReturnType<typeof recordingLogger>;
  /** The file the gateway session is saved in. */
  sessionFile: string;
  /** Starts it with `deliver` (default: record the message). */
  start(deliver?: (message: ChannelMessage) => Promise<void>): Promise<void>;
}

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

export async function fakeDiscord(options: FakeDiscordServerOptions = {}): Promise<FakeDiscordServer> {
  const server = await startFakeDiscordServer(options);
  cleanups.push(() => server.close());
  return server;
}

/** A fresh directory for the saved gateway session (removed after the test). */
export function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "aleph-discord-test-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A channel pointed at the fake; stopped after the test. */
export function testChannel(discord: FakeDiscordServer, options: Partial<DiscordChannelOptions> & { dir?: string } = {}): TestChannel {
  const delivered: ChannelMessage[] = [];
  const statuses: TestChannel["statuses"] = [];
  const log = recordingLogger();
  const sessionFile = join(options.dir ?? dataDir(), "gateway-session.json");
  const channel = new DiscordChannel({
    token: discord.token,
    apiBase: discord.restBase,
    connectTimeoutMs: 10_000,
    sessionFile: () => sessionFile,
    log,
    identifyThrottle: false,
    onStatusChange: (status) => void statuses.push(status),
    ...options,
  });
  cleanups.push(() => channel.stop());
  const controller = new AbortController();
  return {
    channel,
    delivered,
    statuses,
    log,
    sessionFile,
    start: (deliver = async (message) => void delivered.push(message)) => channel.start(deliver, controller.signal),
  };
}

/** A promise and the function that resolves it. */
export function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}
