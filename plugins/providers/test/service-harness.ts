import type { Logger, ModelRequest, ProvidersService } from "@aleph/plugin-sdk";
import type { FakeModelServer } from "@aleph/testing";
import type { FetchLike } from "../src/calls/attempt.js";
import type { BackoffPolicy } from "../src/calls/backoff.js";
import { Cooldowns } from "../src/calls/cooldowns.js";
import { providersConfigSchema, type ProvidersConfig } from "../src/config.js";
import { ProtocolRegistry } from "../src/protocols/registry.js";
import { createProvidersService } from "../src/providers-service.js";

/*
 * The providers service as the plugin builds it — real adapters, real fetch, a config parsed by the
 * plugin's own schema so every default applies — pointed at fake model servers on 127.0.0.1. Only
 * the clocks are shortened (backoff), so a test of five retries does not take seconds.
 */

/** Backoff fast enough for tests, with a Retry-After ceiling (2 s) a test can stay under or go over. */
export const FAST_BACKOFF: BackoffPolicy = { baseMs: 5, capMs: 20, maxRetryAfterMs: 2000 };

export const hello: ModelRequest = { messages: [{ role: "user", content: "hello" }] };

export interface LogLine {
  level: "trace" | "debug" | "info" | "warn" | "error";
  msg: string;
  fields?: Record<string, unknown>;
}

/** A logger that keeps every line, so a test can read why the service retried or moved on. */
export function recordingLogger(): Logger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at =
    (level: LogLine["level"]) =>
    (msg: string, fields?: Record<string, unknown>): void => {
      lines.push({ level, msg, ...(fields ? { fields } : {}) });
    };
  const logger: Logger & { lines: LogLine[] } = {
    lines,
    trace: at("trace"),
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    child: () => logger,
  };
  return logger;
}

/** providers.toml's tables as the plugin receives them: through its schema, defaults filled in. */
export function providersConfig(tables: Record<string, Record<string, unknown>>): ProvidersConfig {
  return providersConfigSchema.parse(tables);
}

/** An openai provider table pointing at a fake server (extra keys override). */
export function openaiAt(server: FakeModelServer | { baseUrls: { openai: string } }, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { protocol: "openai", model: "fake-model", base_url: server.baseUrls.openai, ...extra };
}

/** A fetch that is the real one, noting when each request went out. */
export function timedFetch(): FetchLike & { sentAt: number[] } {
  const sentAt: number[] = [];
  const timed = (url: string, init: RequestInit) => {
    sentAt.push(performance.now());
    return fetch(url, init);
  };
  return Object.assign(timed, { sentAt });
}

export interface ServiceOptions {
  cooldowns?: Cooldowns;
  protocols?: ProtocolRegistry;
  keyOrigin?: (provider: string) => string | undefined;
  fetch?: FetchLike;
}

export interface TestService {
  service: ProvidersService;
  log: Logger & { lines: LogLine[] };
  cooldowns: Cooldowns;
}

export function serviceFor(config: ProvidersConfig, options: ServiceOptions = {}): TestService {
  const log = recordingLogger();
  const cooldowns = options.cooldowns ?? new Cooldowns({ threshold: 2, ms: 60_000 });
  const service = createProvidersService({
    config: () => config,
    protocols: options.protocols ?? new ProtocolRegistry(),
    keyOrigin: options.keyOrigin ?? (() => undefined),
    log,
    backoff: FAST_BACKOFF,
    cooldowns,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  return { service, log, cooldowns };
}
