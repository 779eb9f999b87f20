/*
 * The MCP plugin's working code (dist/runtime.js), imported by the entry only when at least one
 * server is configured: the connections (which load @modelcontextprotocol/sdk), their lifecycle,
 * and the mapping of tool names and results. A kernel with no [[mcp.servers]] never loads it.
 */
import { Supervisor, type SupervisorDeps } from "./runtime/supervisor.js";

export { MediaStore } from "./runtime/media-store.js";
export { Supervisor, type SupervisorDeps } from "./runtime/supervisor.js";
export { toolSpecs, toParameters, type McpToolSpec, type ListedTool } from "./runtime/tool-specs.js";
export { mapToolNames, snakeCase } from "./runtime/tool-names.js";

export function createSupervisor(deps: SupervisorDeps): Supervisor {
  return new Supervisor(deps);
}
