import { type AlephError, type Logger, type ToolCallContext } from "@aleph/plugin-sdk";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import type { ServerConfig } from "../config.js";
import type { McpServerState, McpServerStatus } from "../service.js";
import { describeTarget, transportOf } from "../target.js";
import { backoffDelay, STABLE_AFTER_MS } from "./backoff.js";
import { callFailure, cancelledCall, isConnectionFailure, toolReportedError, unavailable } from "./call-errors.js";
import { describeFailure, fixFor, isPermanent } from "./connect-failures.js";
import { listAllTools } from "./list-tools.js";
import type { MediaStore } from "./media-store.js";
import { mapToolResult } from "./result-mapping.js";
import { StderrLog } from "./stderr-log.js";
import { toolSpecs, type McpToolSpec } from "./tool-specs.js";
import { openTransport, type OpenedTransport } from "./transports.js";

/*
 * One MCP server, on its own: its process or HTTP session, its state, its restarts. Nothing here
 * touches another server, so one that fails, hangs or floods stderr affects no other.
 *
 *   starting ─connect─▶ ready ─dies / connection lost─▶ restarting ─backoff─▶ (connect again)
 *      │                                                    ▲
 *      ├─ connect fails (crash, timeout, refused) ──────────┘
 *      └─ command or cwd missing, credentials refused ─▶ failed      stop() ─▶ stopped (from any)
 *
 * A server that dies keeps its tools registered (they come back with the same names); a call made
 * meanwhile waits for it to be ready again, up to the call's timeout (at most 30 s), then fails
 * saying why.
 */

/** The longest a call waits for a server that is starting or restarting. */
export const READY_WAIT_MAX_MS = 30_000;
/** How long the list changes of a server are gathered before the list is fetched again. */
const LIST_CHANGED_DEBOUNCE_MS = 100;
/**
 * How often a connected HTTP server is pinged. A stdio server's death closes its pipe at once; an
 * HTTP server's shows only when a request fails, so without this it would be noticed at the next call.
 */
export const HTTP_PING_INTERVAL_MS = 30_000;

export interface ConnectionDeps {
  /** Where a stdio server runs by default: the state root. */
  root: string;
  clientInfo: { name: string; version: string };
  log: Logger;
  redact(text: string): string;
  media: MediaStore;
  /** The server's tool list is known: on connecting, and when it announces a change. */
  toolsListed(server: ServerConfig, tools: McpToolSpec[]): void;
  /** Tools of the server in the registry now. */
  toolCount(server: string): number;
  /** The server failed for good: its tools (from the cache) leave the registry until it runs again. */
  toolsUnavailable(server: string): void;
  emit(event: string, payload: Record<string, unknown>): void;
}

interface Attempt {
  client: Client;
  opened?: OpenedTransport;
}

export class ServerConnection {
  #state: McpServerState = "starting";
  #since = Date.now();
  #restarts = 0;
  /** Consecutive failures, for the backoff; back to 0 once a connection has held for a minute. */
  #failures = 0;
  /** The connection in use (state ready). */
  #client: Client | undefined;
  #opened: OpenedTransport | undefined;
  #readyAt: number | undefined;
  /** The connection being made (starting, restarting). */
  #attempt: Attempt | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #nextAttemptAt: number | undefined;
  #error: string | undefined;
  #serverInfo: { name: string; version: string } | undefined;
  readonly #stateListeners = new Set<() => void>();
  readonly #stderr: StderrLog;
  #listChangedTimer: NodeJS.Timeout | undefined;
  #listChangedWhileConnecting = false;
  #pingTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly config: ServerConfig,
    private readonly deps: ConnectionDeps,
  ) {
    this.#stderr = new StderrLog(deps.log, config.name);
  }

  get name(): string {
    return this.config.name;
  }

  get state(): McpServerState {
    return this.#state;
  }

  start(): void {
    void this.#connect();
  }

  /** Kills the process (or ends the HTTP session) and refuses calls from now on. */
  async stop(): Promise<void> {
    if (this.#state === "stopped") return;
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#listChangedTimer);
    clearInterval(this.#pingTimer);
    const clients = [this.#client, this.#attempt?.client];
    const opened = this.#opened;
    this.#client = undefined;
    this.#opened = undefined;
    this.#attempt = undefined;
    this.#setState("stopped");
    await opened?.endSession();
    await Promise.all(clients.map((client) => client?.close().catch(() => undefined)));
  }

  /** Calls one of the server's tools, waiting for the server if it is (re)starting. */
  async call(tool: McpToolSpec, args: unknown, context: ToolCallContext): Promise<unknown> {
    const timeoutMs = this.config.timeout_seconds * 1000;
    if (context.signal?.aborted) throw cancelledCall(this.name, tool.original);
    const client = this.#state === "ready" && this.#client ? this.#client : await this.#whenReady(Math.min(timeoutMs, READY_WAIT_MAX_MS), tool.original, context.signal);
    let result: Record<string, unknown>;
    try {
      result = await client.callTool({ name: tool.original, arguments: (args ?? {}) as Record<string, unknown> }, undefined, {
        timeout: timeoutMs,
        ...(context.signal ? { signal: context.signal } : {}),
      });
    } catch (error) {
      if (context.signal?.aborted) throw cancelledCall(this.name, tool.original);
      // A stdio server that dies closes its transport (and is restarted from there); an HTTP one
      // only shows it by failing requests.
      if (this.config.url !== undefined && isConnectionFailure(error)) this.#lost(client, describeFailure(error, this.config));
      throw callFailure(error, this.name, tool.original, timeoutMs);
    }
    const outcome = await mapToolResult(result, this.deps.media);
    if (outcome.isError) throw toolReportedError(this.name, tool.original, outcome.errorText);
    return outcome.value;
  }

  /**
   * Resolves once the server's first connection is made or has failed, or after `waitMs`. A server
   * restarting after a failure is not waited for: its status already says why and when it retries.
   */
  settled(waitMs: number): Promise<void> {
    const transitional = () => this.#state === "starting";
    if (!transitional() || waitMs <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#stateListeners.delete(listener);
        resolve();
      };
      const listener = () => {
        if (!transitional()) done();
      };
      const timer = setTimeout(done, waitMs);
      this.#stateListeners.add(listener);
    });
  }

  status(): McpServerStatus {
    const pid = (this.#opened ?? this.#attempt?.opened)?.pid();
    const showStderr = this.#state !== "ready" && this.#state !== "stopped";
    const stderr = showStderr ? this.#stderr.tail().map((line) => this.deps.redact(line)) : [];
    return {
      name: this.name,
      transport: transportOf(this.config),
      target: describeTarget(this.config, this.deps.redact),
      status: this.#state,
      tools: this.deps.toolCount(this.name),
      ...(pid !== undefined && this.#state !== "stopped" ? { pid } : {}),
      restarts: this.#restarts,
      since: new Date(this.#since).toISOString(),
      ...(this.#error !== undefined && this.#state !== "ready" ? { error: this.#error } : {}),
      ...(this.#state === "restarting" && this.#nextAttemptAt !== undefined ? { nextAttemptAt: new Date(this.#nextAttemptAt).toISOString() } : {}),
      ...(this.#serverInfo ? { server: this.#serverInfo } : {}),
      ...(stderr.length > 0 ? { stderr } : {}),
    };
  }

  async #connect(): Promise<void> {
    this.#retryTimer = undefined;
    this.#nextAttemptAt = undefined;
    const client = new Client(this.deps.clientInfo, { capabilities: {} });
    const attempt: Attempt = { client };
    this.#attempt = attempt;
    const connectMs = this.config.connect_timeout_seconds * 1000;
    try {
      attempt.opened = await openTransport(this.config, { root: this.deps.root, stderr: this.#stderr });
      if (this.#attempt !== attempt) return; // stopped meanwhile
      client.onclose = () => this.#closed(client);
      client.onerror = (error) => this.deps.log.debug("MCP transport error", { server: this.name, error });
      client.setNotificationHandler(ToolListChangedNotificationSchema, () => this.#listChanged(client));
      await client.connect(attempt.opened.transport, { timeout: connectMs });
      if (this.#attempt !== attempt) return;
      const tools = await listAllTools(client, connectMs, this.deps.log, this.name);
      if (this.#attempt !== attempt) return;
      this.#attempt = undefined;
      this.#client = client;
      this.#opened = attempt.opened;
      this.#readyAt = Date.now();
      this.#error = undefined;
      const info = client.getServerVersion();
      this.#serverInfo = info ? { name: info.name, version: info.version } : undefined;
      this.deps.toolsListed(this.config, toolSpecs(this.name, tools));
      this.#setState("ready");
      const pid = attempt.opened.pid();
      this.deps.log.info("MCP server ready", { server: this.name, tools: tools.length, ...(pid !== undefined ? { pid } : {}), restarts: this.#restarts });
      this.deps.emit("mcp.server.ready", { server: this.name, tools: this.deps.toolCount(this.name), ...(pid !== undefined ? { pid } : {}), restarts: this.#restarts });
      if (this.#listChangedWhileConnecting) this.#listChanged(client);
      if (this.config.url !== undefined) this.#watchHttp(client);
    } catch (error) {
      if (this.#attempt !== attempt) return; // stopped meanwhile: stop() closed it
      this.#attempt = undefined;
      await client.close().catch(() => undefined); // ends the process if it was started
      this.#error = this.deps.redact(describeFailure(error, this.config, this.#stderr.tail().at(-1)));
      if (isPermanent(error)) this.#fail(fixFor(error, this.config));
      else this.#retryLater();
    }
  }

  /** The transport closed: the process exited (or was killed), or the HTTP session ended. */
  #closed(client: Client): void {
    if (client !== this.#client) return; // an old or failed connection
    const pid = this.#opened?.pid();
    const lastWords = this.#stderr.tail().at(-1);
    this.#lost(client, this.config.command !== undefined ? `the server process${pid ? ` (pid ${pid})` : ""} exited${lastWords ? `; its last stderr line: ${lastWords}` : ""}` : "the connection closed");
  }

  #lost(client: Client, why: string): void {
    if (client !== this.#client) return;
    clearInterval(this.#pingTimer);
    this.#client = undefined;
    this.#opened = undefined;
    void client.close().catch(() => undefined);
    if (this.#readyAt !== undefined && Date.now() - this.#readyAt >= STABLE_AFTER_MS) this.#failures = 0;
    this.#error = this.deps.redact(why);
    this.#retryLater();
  }

  #retryLater(): void {
    const delay = backoffDelay(this.#failures++);
    this.#restarts++;
    this.#nextAttemptAt = Date.now() + delay;
    this.#setState("restarting");
    this.deps.log.warn("MCP server is down; trying again", { server: this.name, error: this.#error, inMs: delay });
    this.deps.emit("mcp.server.restarting", { server: this.name, error: this.#error ?? "", inMs: delay });
    this.#retryTimer = setTimeout(() => void this.#connect(), delay);
    this.#retryTimer.unref();
  }

  #fail(fix: string): void {
    this.#setState("failed");
    this.deps.toolsUnavailable(this.name);
    this.deps.log.error("MCP server failed and is not retried until its entry changes", { server: this.name, error: this.#error, fix });
    this.deps.emit("mcp.server.failed", { server: this.name, error: this.#error ?? "", fix });
  }

  /** Pings the HTTP server now and then: a server that is gone is then restarted before a call needs it. */
  #watchHttp(client: Client): void {
    clearInterval(this.#pingTimer);
    this.#pingTimer = setInterval(() => {
      if (client !== this.#client) return;
      client.ping({ timeout: HTTP_PING_INTERVAL_MS / 3 }).catch((error: unknown) => {
        if (isConnectionFailure(error)) this.#lost(client, describeFailure(error, this.config));
      });
    }, HTTP_PING_INTERVAL_MS);
    this.#pingTimer.unref();
  }

  /** `notifications/tools/list_changed`: the list is fetched again (gathered, one fetch at a time). */
  #listChanged(client: Client): void {
    if (client !== this.#client) {
      if (client === this.#attempt?.client) this.#listChangedWhileConnecting = true;
      return;
    }
    this.#listChangedWhileConnecting = false;
    if (this.#listChangedTimer) return;
    this.#listChangedTimer = setTimeout(() => {
      this.#listChangedTimer = undefined;
      listAllTools(client, this.config.connect_timeout_seconds * 1000, this.deps.log, this.name).then(
        (tools) => {
          if (client === this.#client) this.deps.toolsListed(this.config, toolSpecs(this.name, tools));
        },
        (error: unknown) => this.deps.log.warn("could not fetch the changed tool list of an MCP server", { server: this.name, error }),
      );
    }, LIST_CHANGED_DEBOUNCE_MS);
    this.#listChangedTimer.unref();
  }

  #whenReady(waitMs: number, tool: string, signal: AbortSignal | undefined): Promise<Client> {
    if (this.#state === "ready" && this.#client) return Promise.resolve(this.#client);
    const blocked = this.#refusal(tool);
    if (blocked) return Promise.reject(blocked);
    return new Promise((resolve, reject) => {
      const finish = (error: AlephError | undefined, client?: Client) => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        this.#stateListeners.delete(listener);
        if (error) reject(error);
        else resolve(client!);
      };
      const listener = () => {
        if (this.#state === "ready" && this.#client) finish(undefined, this.#client);
        else {
          const refusal = this.#refusal(tool);
          if (refusal) finish(refusal);
        }
      };
      const onAbort = () => finish(cancelledCall(this.name, tool));
      const timer = setTimeout(
        () => finish(unavailable(this.name, `is ${this.#state} and was not ready within ${waitMs / 1000} s for the call to "${tool}"${this.#error ? ` (last error: ${this.#error})` : ""}`)),
        waitMs,
      );
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#stateListeners.add(listener);
    });
  }

  /** Why a call cannot be made at all now (failed, stopped), or undefined when it may wait. */
  #refusal(tool: string): AlephError | undefined {
    if (this.#state === "failed") {
      return unavailable(this.name, `failed and is not retried: ${this.#error ?? "unknown error"} (so "${tool}" cannot be called)`, `fix its entry ([[mcp.servers]] name = "${this.name}") in config.toml: saving the change starts it again`);
    }
    if (this.#state === "stopped") return unavailable(this.name, `is not running (it was removed from [[mcp.servers]], disabled, or the plugin is stopping), so "${tool}" cannot be called`);
    return undefined;
  }

  #setState(state: McpServerState): void {
    if (this.#state !== state) this.#since = Date.now();
    this.#state = state;
    for (const listener of [...this.#stateListeners]) listener();
  }
}
