import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChannelMessage, Logger } from "@aleph/plugin-sdk";
import { startFakeTelegramServer, type FakeTelegramServer } from "@aleph/testing";
import { afterEach } from "vitest";
import { createTelegramAdapter, type TelegramAdapter, type TelegramAdapterOptions } from "../src/runtime.js";
import type { Sleep } from "../src/runtime/backoff.js";

/*
 * What the adapter tests share: a fake Bot API per test, adapters pointed at it with a private
 * data directory, a logger that keeps its lines, and a sleep the test steps through — so a test
 * sees which delays the adapter asked for without waiting them out. Everything is torn down
 * after each test.
 */

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

export async function fakeTelegram(options?: Parameters<typeof startFakeTelegramServer>[0]): Promise<FakeTelegramServer> {
  const telegram = await startFakeTelegramServer(options);
  cleanups.push(() => telegram.close());
  return telegram;
}

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "aleph-telegram-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface LogLine {
  level: string;
  msg: string;
  fields?: Record<string, unknown>;
}

export function recordingLogger(lines: LogLine[] = []): Logger & { lines: LogLine[] } {
  const at =
    (level: string) =>
    (msg: string, fields?: Record<string, unknown>): void =>
      void lines.push({ level, msg, ...(fields ? { fields } : {}) });
  const logger = { lines, trace: at("trace"), debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error"), child: () => logger };
  return logger;
}

/** A sleep that waits for the test: each call is recorded and ends on `release()` (or when its signal aborts). */
export interface SteppedSleep {
  sleep: Sleep;
  /** The delays asked for, in order. */
  delays: number[];
  /** Resolves once `count` sleeps have been asked for. */
  asked(count: number): Promise<void>;
  /** Ends the sleep in progress (the oldest). */
  release(): void;
}

export function steppedSleep(): SteppedSleep {
  const delays: number[] = [];
  const waiting: (() => void)[] = [];
  const watchers: (() => void)[] = [];
  return {
    delays,
    sleep: (ms, signal) =>
      new Promise<void>((resolve) => {
        delays.push(ms);
        const done = () => {
          signal.removeEventListener("abort", done);
          const index = waiting.indexOf(done);
          if (index !== -1) waiting.splice(index, 1);
          resolve();
        };
        signal.addEventListener("abort", done, { once: true });
        waiting.push(done);
        for (const watcher of watchers.splice(0)) watcher();
      }),
    asked: (count) =>
      until(
        () => delays.length >= count,
        (recheck) => watchers.push(recheck),
        () => `${count} sleeps were not asked for; asked: ${JSON.stringify(delays)}`,
      ),
    release: () => waiting[0]?.(),
  };
}

/** A sleep that does not wait at all (for tests where delays do not matter). */
export const noSleep: Sleep = () => new Promise((resolve) => setImmediate(resolve));

/** Deliveries as the registry would get them, with a hook to fail or hold one. */
export interface Inbox {
  messages: ChannelMessage[];
  deliver: (message: ChannelMessage) => Promise<void>;
  /** Resolves once `count` deliveries were attempted. */
  received(count: number): Promise<ChannelMessage[]>;
}

export function inbox(handler: (message: ChannelMessage, attempt: number) => Promise<void> | void = () => undefined): Inbox {
  const messages: ChannelMessage[] = [];
  const watchers: (() => void)[] = [];
  return {
    messages,
    deliver: async (message) => {
      messages.push(message);
      for (const watcher of watchers.splice(0)) watcher();
      await handler(message, messages.length);
    },
    received: async (count) => {
      await until(
        () => messages.length >= count,
        (recheck) => watchers.push(recheck),
        () => `${count} deliveries expected, got ${messages.length}: ${JSON.stringify(messages.map((m) => m.text))}`,
      );
      return messages.slice(0, count);
    },
  };
}

/** Waits until `condition` holds, re-checking whenever `subscribe`'s callback fires; fails after 5 s with `explain`. */
function until(condition: () => boolean, subscribe: (recheck: () => void) => void, explain: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(explain())), 5000);
    const check = () => {
      if (condition()) {
        clearTimeout(timer);
        resolve();
      } else subscribe(check);
    };
    check();
  });
}

/** Polls a condition on the event loop (for state the adapter keeps: status, files). */
export async function eventually(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`not in time: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export function newAdapter(telegram: FakeTelegramServer, options: Partial<TelegramAdapterOptions> = {}): TelegramAdapter & { logger: ReturnType<typeof recordingLogger> } {
  const logger = recordingLogger();
  const adapter = createTelegramAdapter({
    token: telegram.token,
    apiRoot: telegram.apiRoot,
    pollTimeoutSeconds: 5,
    dataDir: options.dataDir ?? join(tempDir(), "data", "telegram"),
    log: logger,
    sleep: noSleep,
    ...options,
  });
  cleanups.push(() => adapter.stop());
  return Object.assign(adapter, { logger });
}

/** Starts an adapter with a fresh abort signal. */
export async function startAdapter(adapter: TelegramAdapter, deliver: Inbox["deliver"]): Promise<AbortController> {
  const controller = new AbortController();
  await adapter.start(deliver, controller.signal);
  return controller;
}
