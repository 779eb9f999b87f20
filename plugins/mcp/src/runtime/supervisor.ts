import type { ToolCallContext } from "@aleph/plugin-sdk";
import type { ServerConfig } from "../config.js";
import type { McpServerStatus } from "../service.js";
import { unavailable } from "./call-errors.js";
import { ServerConnection, type ConnectionDeps } from "./server-connection.js";
import type { McpToolSpec } from "./tool-specs.js";

/*
 * The running servers, one ServerConnection each, kept in line with the config: `apply` compares
 * the entries by value, server by server — an added one is started, a removed (or disabled) one is
 * stopped and its tools unregistered, a changed one is restarted; the others are not touched, not
 * even paused. Changes are applied one at a time, in the order they came.
 */

export interface SupervisorDeps extends ConnectionDeps {
  /** A server is gone (removed, disabled, or now something else): its tools leave the registry. */
  withdraw(server: string): void;
}

/** Two entries of one server that would run the same thing the same way. */
const sameServer = (a: ServerConfig, b: ServerConfig) => JSON.stringify(a) === JSON.stringify(b);
/** Whether a changed entry still names the same server (its tools are kept until the new list comes). */
const sameIdentity = (a: ServerConfig, b: ServerConfig) =>
  JSON.stringify([a.command, a.args, a.cwd, a.url]) === JSON.stringify([b.command, b.args, b.cwd, b.url]);

export class Supervisor {
  readonly #connections = new Map<string, ServerConnection>();
  #applying: Promise<void> = Promise.resolve();
  #stopped = false;

  constructor(private readonly deps: SupervisorDeps) {}

  /** Runs exactly these servers (the enabled entries). */
  apply(servers: readonly ServerConfig[]): Promise<void> {
    this.#applying = this.#applying.then(() => this.#apply(servers));
    return this.#applying;
  }

  async call(server: string, tool: McpToolSpec, args: unknown, context: ToolCallContext): Promise<unknown> {
    let connection = this.#connections.get(server);
    if (!connection) {
      // Being added or restarted by a config change: wait for it (calls to other servers do not).
      await this.#applying;
      connection = this.#connections.get(server);
    }
    if (!connection) throw unavailable(server, `is not running (it is not in [[mcp.servers]], or it is disabled), so "${tool.original}" cannot be called`);
    return connection.call(tool, args, context);
  }

  status(server: string): McpServerStatus | undefined {
    return this.#connections.get(server)?.status();
  }

  /** Waits up to `waitMs` for the servers still starting or restarting. */
  async settled(waitMs: number): Promise<void> {
    await this.#applying;
    await Promise.all([...this.#connections.values()].map((connection) => connection.settled(waitMs)));
  }

  /** Stops every server (the plugin unloads). */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#applying.catch(() => undefined);
    const connections = [...this.#connections.values()];
    this.#connections.clear();
    await Promise.all(connections.map((connection) => connection.stop()));
  }

  async #apply(servers: readonly ServerConfig[]): Promise<void> {
    if (this.#stopped) return;
    const wanted = new Map(servers.map((server) => [server.name, server]));
    const stopping: Promise<void>[] = [];
    for (const [name, connection] of this.#connections) {
      const next = wanted.get(name);
      if (next && sameServer(connection.config, next)) continue;
      this.#connections.delete(name);
      const keepTools = next !== undefined && sameIdentity(connection.config, next);
      this.deps.log.info(next ? "MCP server entry changed: restarting it" : "MCP server removed from the config: stopping it", { server: name });
      stopping.push(
        connection.stop().then(() => {
          if (!keepTools) this.deps.withdraw(name);
        }),
      );
    }
    // The old process of a changed server is gone before the new one starts (one at a time per name).
    await Promise.all(stopping);
    if (this.#stopped) return;
    for (const [name, server] of wanted) {
      if (this.#connections.has(name)) continue;
      const connection = new ServerConnection(server, this.deps);
      this.#connections.set(name, connection);
      connection.start();
    }
  }
}
