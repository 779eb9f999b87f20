import { mapToolNames } from "./tool-names.js";

/*
 * A server's tools as the tools registry takes them: the registry name, the server's own name (for
 * the call), a description that says which server answers, and the input schema as its arguments'
 * JSON Schema. Plain data: it is what the tools cache keeps between starts.
 */

export interface McpToolSpec {
  /** `<server>__<tool>`, lowercase snake_case. */
  name: string;
  /** The server's name for it. */
  original: string;
  description: string;
  parameters: Record<string, unknown>;
  /** Why it is not offered although the server lists it (it can only run as an MCP task). */
  unsupported?: string;
}

/** What a server lists (the fields of MCP's Tool this plugin uses). */
export interface ListedTool {
  name: string;
  title?: string | undefined;
  description?: string | undefined;
  inputSchema?: Record<string, unknown> | undefined;
  annotations?: { title?: string | undefined } | undefined;
  execution?: { taskSupport?: string | undefined } | undefined;
}

/** The longest description offered to the model; some servers put manuals in theirs. */
export const MAX_DESCRIPTION_CHARS = 4000;

function describe(server: string, tool: ListedTool): string {
  const own = (tool.description ?? "").trim() || (tool.title ?? tool.annotations?.title ?? "").trim() || `The "${tool.name}" tool`;
  const text = own.length > MAX_DESCRIPTION_CHARS ? `${own.slice(0, MAX_DESCRIPTION_CHARS)}…` : own;
  return `${text} (MCP server "${server}", tool "${tool.name}")`;
}

/**
 * The input schema as the registry's parameters: `type: "object"` is added when the server left it
 * out (MCP requires an object), `$schema` is dropped (the registry validates as draft 2020-12, and
 * some model APIs refuse the keyword); everything else is passed as the server wrote it. A schema
 * the registry still refuses skips that tool, not the server.
 */
export function toParameters(inputSchema: Record<string, unknown> | undefined): Record<string, unknown> {
  const { $schema: _dialect, ...schema } = inputSchema ?? {};
  return schema.type === undefined ? { type: "object", ...schema } : schema;
}

export function toolSpecs(server: string, tools: readonly ListedTool[]): McpToolSpec[] {
  const names = mapToolNames(server, tools.map((t) => t.name));
  const seen = new Set<string>();
  const specs: McpToolSpec[] = [];
  for (const tool of tools) {
    if (seen.has(tool.name)) continue; // a server listing one name twice: the first counts
    seen.add(tool.name);
    const spec: McpToolSpec = { name: names.get(tool.name)!, original: tool.name, description: describe(server, tool), parameters: toParameters(tool.inputSchema) };
    // A tool that runs only as a task (MCP's experimental tasks: create, poll, fetch the result) would
    // fail every plain call: it is listed by `mcp tools`, not offered to agents.
    if (tool.execution?.taskSupport === "required") spec.unsupported = "it runs only as an MCP task (execution.taskSupport = required), which this client does not support";
    specs.push(spec);
  }
  return specs;
}
