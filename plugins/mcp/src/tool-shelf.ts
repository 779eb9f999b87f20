import { errorMessage, type Disposable, type Logger, type ToolCallContext, type ToolsService } from "@aleph/plugin-sdk";
import type { McpToolView } from "./service.js";
import type { McpToolSpec } from "./runtime/tool-specs.js";

/*
 * The servers' tools in the tools registry. Each server's set is replaced as a whole when its list
 * is known (from the cache at start, then from the server), and only what differs is touched: a tool
 * that stays the same keeps its registration, so a call in flight or an agent's offered list is not
 * disturbed by a reconnection. A tool the registry refuses (its schema, a name another plugin
 * holds) is skipped with a warning; the server's other tools are registered.
 */

/** Runs one tool of one server; the registry has validated `args` against the tool's schema. */
export type McpToolCaller = (server: string, tool: McpToolSpec, args: unknown, context: ToolCallContext) => Promise<unknown>;

interface Shelved {
  spec: McpToolSpec;
  registration?: Disposable;
  skipped?: string;
}

export interface ShelfChange {
  added: string[];
  removed: string[];
}

const sameSpec = (a: McpToolSpec, b: McpToolSpec) => a.original === b.original && a.description === b.description && JSON.stringify(a.parameters) === JSON.stringify(b.parameters);

export class ToolShelf {
  readonly #servers = new Map<string, Map<string, Shelved>>();

  constructor(
    private readonly registry: ToolsService | undefined,
    private readonly plugin: string,
    private readonly log: Logger,
    private readonly call: McpToolCaller,
  ) {}

  /** Makes `specs` the server's registered tools: registers the new and changed ones, unregisters the rest. */
  publish(server: string, specs: readonly McpToolSpec[]): ShelfChange {
    const current = this.#servers.get(server) ?? new Map<string, Shelved>();
    const next = new Map<string, Shelved>();
    const change: ShelfChange = { added: [], removed: [] };
    for (const spec of specs) {
      const old = current.get(spec.name);
      // Kept as it is unless it changed; one skipped before is tried again (the name may be free now).
      if (old?.registration && sameSpec(old.spec, spec)) {
        next.set(spec.name, old);
        continue;
      }
      old?.registration?.dispose();
      const shelved = this.#register(server, spec);
      next.set(spec.name, shelved);
      if (!old && shelved.registration) change.added.push(spec.name);
    }
    for (const [name, old] of current) {
      if (next.has(name)) continue;
      old.registration?.dispose();
      if (old.registration) change.removed.push(name);
    }
    this.#servers.set(server, next);
    return change;
  }

  /** Unregisters every tool of the server. */
  withdraw(server: string): string[] {
    const shelved = this.#servers.get(server);
    this.#servers.delete(server);
    const removed: string[] = [];
    for (const [name, entry] of shelved ?? []) {
      entry.registration?.dispose();
      if (entry.registration) removed.push(name);
    }
    return removed;
  }

  clear(): void {
    for (const server of [...this.#servers.keys()]) this.withdraw(server);
  }

  /** Tools of the server in the registry now. */
  count(server: string): number {
    return [...(this.#servers.get(server)?.values() ?? [])].filter((entry) => entry.registration).length;
  }

  /** The servers that have tools on the shelf (registered or skipped). */
  servers(): string[] {
    return [...this.#servers.keys()];
  }

  /** The server's tools as `aleph mcp tools` shows them. */
  views(server: string): McpToolView[] {
    return [...(this.#servers.get(server)?.values() ?? [])].map(({ spec, registration, skipped }) => ({
      name: spec.name,
      original: spec.original,
      description: spec.description,
      parameters: spec.parameters,
      registered: registration !== undefined,
      ...(skipped !== undefined ? { skipped } : {}),
    }));
  }

  /** The server's tool list as last published (for the cache). */
  specs(server: string): McpToolSpec[] {
    return [...(this.#servers.get(server)?.values() ?? [])].map((entry) => entry.spec);
  }

  #register(server: string, spec: McpToolSpec): Shelved {
    if (spec.unsupported !== undefined) return { spec, skipped: spec.unsupported };
    if (!this.registry) return { spec, skipped: "no tools registry is running (the tools plugin is not active)" };
    try {
      const registration = this.registry.register(
        { name: spec.name, description: spec.description, parameters: spec.parameters, handler: (args, context) => this.call(server, spec, args, context) },
        this.plugin,
      );
      return { spec, registration };
    } catch (error) {
      const reason = errorMessage(error);
      this.log.warn("an MCP tool was not registered; the server's other tools are", { server, tool: spec.original, name: spec.name, reason });
      return { spec, skipped: reason };
    }
  }
}
