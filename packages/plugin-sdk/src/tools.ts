import type { Disposable } from "./disposable.js";
import { createServiceRef } from "./service-ref.js";

/** A tool an agent can call: a name, a description, a JSON Schema for its arguments, a handler. */
export interface ToolDefinition {
  /** Lowercase snake_case, unique across the registry: ^[a-z][a-z0-9_]{0,63}$ */
  name: string;
  description: string;
  /** JSON Schema (draft 2020-12) of the arguments object. */
  parameters: Record<string, unknown>;
  /** Receives validated arguments and who calls (when an agent does), returns a JSON-serialisable result. */
  handler(args: any, context: ToolCallContext): unknown | Promise<unknown>;
}

/**
 * Who calls a tool and how to stop it: an agent's turn passes its agent and session, and a signal
 * that aborts when the turn is cancelled (Ctrl-C in `aleph talk`): pass it to fetches and timers.
 */
export interface ToolCallContext {
  agentId?: string;
  sessionKey?: string;
  /**
   * True when a person follows the turn and can answer an approval request (`aleph talk` on a
   * terminal); anything else (a piped talk, a schedule, a script) is denied what needs a yes.
   */
  interactive?: boolean;
  /** Only in-process: a signal does not cross the control socket. */
  signal?: AbortSignal;
}

/** A registered tool, as listed. */
export interface ToolInfo {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
  /** The plugin that registered it. */
  plugin: string;
}

/** The `tools` service: the registry of tools that agents can call. */
export interface ToolsService {
  /** Registers a tool on behalf of `plugin`; disposing the result unregisters it. */
  register(tool: ToolDefinition, plugin: string): Disposable;
  list(): ToolInfo[];
  /** Validates `args` against the tool's schema and calls it; throws ALEPH_E_TOOL_ARGS or the handler's error. */
  call(name: string, args: unknown, context?: ToolCallContext): Promise<unknown>;
  /**
   * Tools still coming from `plugin`: `work` settles once it has registered what it will (an MCP
   * server without a cached tool list, connecting). A turn waits for pending work — bounded — before
   * it lists the tools it offers, so a first message is not answered without them.
   */
  pending(work: Promise<unknown>, plugin: string): void;
  /** Resolves when no work is pending, or after `timeoutMs`, whichever comes first (never rejects). */
  settled(timeoutMs: number): Promise<void>;
}

export const toolsRef = createServiceRef<ToolsService>("tools");
