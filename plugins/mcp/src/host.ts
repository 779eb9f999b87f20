import { join } from "node:path";
import { AlephError, errorMessage, importSibling, toolsRef, type PluginContext, type ToolCallContext } from "@aleph/plugin-sdk";
import { enabledServers, type McpConfig, type ServerConfig } from "./config.js";
import type { McpServerState, McpServerStatus, McpService, McpToolView } from "./service.js";
import { describeTarget, transportOf } from "./target.js";
import { ToolShelf } from "./tool-shelf.js";
import { readToolsCache, serverKey, ToolsCacheWriter } from "./tools-cache.js";
import type { McpToolSpec } from "./runtime/tool-specs.js";

type Runtime = typeof import("./runtime.js");
type Supervisor = import("./runtime/supervisor.js").Supervisor;

/*
 * The part of the plugin that runs at every kernel start, kept small: the tools registry entries
 * (from the tools cache at once, then from the servers), the `mcp` service, and the config. The
 * connections live in dist/runtime.js, imported in the background only when a server is
 * configured — setup never waits for a server, nor for the MCP SDK to load.
 */

const runtimeModule = () => importSibling<Runtime>(import.meta.url, "runtime");

/** The longest `servers()` / `tools()` wait for servers that are still starting. */
const MAX_WAIT_MS = 120_000;

export class McpHost {
  #config: McpConfig;
  readonly shelf: ToolShelf;
  #cache: ToolsCacheWriter | undefined;
  #supervisor: Promise<Supervisor | undefined> | undefined;
  /** The supervisor once loaded: a call then reaches it without waiting on a promise. */
  #loaded: Supervisor | undefined;
  #runtimeError: string | undefined;
  #kernelReady = false;

  constructor(private readonly ctx: PluginContext<McpConfig>) {
    this.#config = ctx.config;
    this.shelf = new ToolShelf(ctx.services.getOptional(toolsRef), ctx.id, ctx.log, (server, tool, args, context) => this.#call(server, tool, args, context));
  }

  /** Registers the cached tools of the configured servers and starts the servers in the background. */
  async start(): Promise<void> {
    const servers = enabledServers(this.#config);
    if (servers.length === 0) return;
    const cached = await readToolsCache(this.#cacheFile(), this.ctx.log);
    this.#cache = new ToolsCacheWriter(this.#cacheFile(), this.ctx.log, cached);
    if (this.#kernelReady) this.#cache.allow();
    for (const server of servers) {
      const entry = cached.get(server.name);
      if (entry && entry.key === serverKey(server)) this.shelf.publish(server.name, entry.tools);
    }
    // Entries of servers no longer in the config go; a disabled one keeps its entry for when it is enabled.
    for (const name of cached.keys()) if (!this.#config.servers.some((s) => s.name === name)) this.#cache.delete(name);
    const uncached = servers.filter((server) => cached.get(server.name)?.key !== serverKey(server));
    this.#expectTools(this.#run(servers), uncached);
  }

  /**
   * Tells the tools registry that `uncached` servers' tools are still coming, until they connect
   * (or give up): a turn waits for them, bounded, instead of answering a first message without
   * them. Servers with a cached list are not waited for: their tools are registered already.
   */
  #expectTools(running: Promise<void>, uncached: readonly ServerConfig[]): void {
    if (uncached.length === 0) return;
    const waitMs = Math.max(...uncached.map((server) => server.connect_timeout_seconds)) * 1000;
    this.ctx.services.getOptional(toolsRef)?.pending(running.then(() => this.#loaded?.settled(waitMs)), this.ctx.id);
  }

  /** A config change: servers added, removed or changed (each on its own; the others run on). */
  async apply(config: McpConfig): Promise<void> {
    this.#config = config;
    const servers = enabledServers(config);
    if (servers.length === 0 && this.#supervisor === undefined) {
      for (const server of this.shelf.servers()) this.#withdraw(server);
      return;
    }
    const known = new Set(this.shelf.servers());
    const running = this.#run(servers);
    this.#expectTools(running, servers.filter((server) => !known.has(server.name)));
    await running;
  }

  /** The kernel is ready: the tools cache may be written from now on. */
  kernelReady(): void {
    this.#kernelReady = true;
    this.#cache?.allow(); // no servers, no cache: nothing is created on disk
  }

  /** The plugin unloads: every server is stopped (no process is left behind), the cache written. */
  async stop(): Promise<void> {
    const supervisor = await this.#supervisor?.catch(() => undefined);
    await supervisor?.stop();
    await this.#cache?.flush();
  }

  readonly service: McpService = {
    servers: async (options = {}): Promise<McpServerStatus[]> => {
      const supervisor = await this.#supervisor;
      if (supervisor && options.waitMs) await supervisor.settled(Math.min(options.waitMs, MAX_WAIT_MS));
      return this.#config.servers.map((server) => {
        if (!server.enabled) return this.#placeholder(server, "disabled");
        const status = supervisor?.status(server.name);
        if (status) return status;
        return this.#runtimeError ? this.#placeholder(server, "failed", this.#runtimeError) : this.#placeholder(server, "starting");
      });
    },
    tools: async (name, options = {}): Promise<McpToolView[]> => {
      const server = this.#config.servers.find((s) => s.name === name);
      if (!server) {
        const names = this.#config.servers.map((s) => s.name);
        throw new AlephError("ALEPH_E_NOT_FOUND", `no MCP server named "${name}" in [[mcp.servers]] (configured: ${names.join(", ") || "none"})`, {
          fix: "run `aleph mcp list` to see the configured servers",
        });
      }
      if (!server.enabled) {
        throw new AlephError("ALEPH_E_MCP_UNAVAILABLE", `the MCP server "${name}" is disabled (enabled = false), so it offers no tools`, {
          fix: `set enabled = true in its [[mcp.servers]] entry`,
        });
      }
      const supervisor = await this.#supervisor;
      if (supervisor && options.waitMs) await supervisor.settled(Math.min(options.waitMs, MAX_WAIT_MS));
      return this.shelf.views(name);
    },
  };

  #cacheFile(): string {
    return join(this.ctx.paths.data, "tools-cache.json");
  }

  #cacheWriter(): ToolsCacheWriter {
    if (!this.#cache) {
      this.#cache = new ToolsCacheWriter(this.#cacheFile(), this.ctx.log);
      if (this.#kernelReady) this.#cache.allow();
    }
    return this.#cache;
  }

  async #run(servers: ServerConfig[]): Promise<void> {
    const supervisor = await this.#loadSupervisor();
    try {
      await supervisor?.apply(servers);
    } catch (error) {
      this.ctx.log.error("the MCP servers could not be updated to the config", { error });
    }
  }

  /** The supervisor, importing the runtime (and the MCP SDK) on first use. */
  #loadSupervisor(): Promise<Supervisor | undefined> {
    this.#supervisor ??= runtimeModule().then(
      (runtime) =>
        (this.#loaded = runtime.createSupervisor({
          root: this.ctx.paths.root,
          clientInfo: { name: "aleph", version: this.ctx.version },
          log: this.ctx.log,
          redact: (text) => this.ctx.redact(text),
          media: new runtime.MediaStore(join(this.ctx.paths.data, "media")),
          toolsListed: (server, specs) => this.#toolsListed(server, specs),
          toolCount: (server) => this.shelf.count(server),
          toolsUnavailable: (server) => this.#unoffer(server),
          emit: (event, payload) => this.#emit(event, payload),
          withdraw: (server) => this.#withdraw(server),
        })),
      (error: unknown) => {
        this.#runtimeError = `the MCP client could not be loaded: ${errorMessage(error)}`;
        this.ctx.log.error("the MCP client could not be loaded; no server is started", { error });
        return undefined;
      },
    );
    return this.#supervisor;
  }

  async #call(server: string, tool: McpToolSpec, args: unknown, context: ToolCallContext): Promise<unknown> {
    const supervisor = this.#loaded ?? (await this.#loadSupervisor());
    if (!supervisor) throw new AlephError("ALEPH_E_MCP_UNAVAILABLE", `${this.#runtimeError ?? "the MCP client is not running"} (so "${tool.name}" cannot be called)`, { fix: "reinstall aleph (the plugin's dist/runtime.js or @modelcontextprotocol/sdk is missing)" });
    return supervisor.call(server, tool, args, context);
  }

  #toolsListed(server: ServerConfig, specs: McpToolSpec[]): void {
    const change = this.shelf.publish(server.name, specs);
    this.#cacheWriter().set(server.name, { key: serverKey(server), tools: specs });
    if (change.added.length > 0 || change.removed.length > 0) this.#emit("mcp.tools.changed", { server: server.name, ...change });
  }

  /** Out of the registry, but kept in the cache: the server may run again once its entry is fixed. */
  #unoffer(server: string): void {
    const removed = this.shelf.withdraw(server);
    if (removed.length > 0) this.#emit("mcp.tools.changed", { server, added: [], removed });
  }

  #withdraw(server: string): void {
    const removed = this.shelf.withdraw(server);
    this.#cache?.delete(server);
    if (removed.length > 0) this.#emit("mcp.tools.changed", { server, added: [], removed });
  }

  #emit(event: string, payload: Record<string, unknown>): void {
    try {
      this.ctx.events.emit(event, payload as never).catch(() => undefined);
    } catch {
      // the plugin is unloading: nobody to tell
    }
  }

  #placeholder(server: ServerConfig, status: McpServerState, error?: string): McpServerStatus {
    return {
      name: server.name,
      transport: transportOf(server),
      target: describeTarget(server, (text) => this.ctx.redact(text)),
      status,
      tools: this.shelf.count(server.name),
      restarts: 0,
      since: new Date().toISOString(),
      ...(error !== undefined ? { error } : {}),
    };
  }
}
