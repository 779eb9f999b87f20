import { createRequire } from "node:module";
import { API } from "@discordjs/core";
import { REST } from "@discordjs/rest";

/*
 * The REST side of one channel: @discordjs/rest (which queues per route, follows X-RateLimit
 * headers and waits out a 429's Retry-After) and @discordjs/core's typed calls on top.
 *
 * It gets its own connection pool (an undici Agent), closed with the channel: left to undici's
 * process-wide pool, a stopped channel's keep-alive sockets to Discord would linger in the next
 * plugin generation's process. undici is @discordjs/rest's own dependency, so it is resolved from
 * there (the instance @discordjs/rest itself uses).
 */

interface ClosableDispatcher {
  close(): Promise<void>;
}

type AgentConstructor = new (options?: { keepAliveTimeout?: number }) => ClosableDispatcher;

function ownAgent(): ClosableDispatcher | undefined {
  try {
    const requireFromRest = createRequire(createRequire(import.meta.url).resolve("@discordjs/rest"));
    const { Agent } = requireFromRest("undici") as { Agent: AgentConstructor };
    return new Agent();
  } catch {
    return undefined; // the process-wide pool, then: it still works
  }
}

export class RestSession {
  readonly rest: REST;
  readonly api: API;
  readonly #agent: ClosableDispatcher | undefined;

  constructor(token: string, apiBase: string) {
    this.#agent = ownAgent();
    this.rest = new REST({ api: apiBase.replace(/\/+$/, ""), version: "10", ...(this.#agent ? { agent: this.#agent as never } : {}) }).setToken(token);
    this.api = new API(this.rest);
  }

  /** Stops the REST client's timers and closes its connections (requests in flight finish first). */
  async close(): Promise<void> {
    this.rest.clearHashSweeper();
    this.rest.clearHandlerSweeper();
    await this.#agent?.close().catch(() => undefined);
  }
}
