import type { Logger } from "@aleph/plugin-sdk";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import * as z from "@aleph/zod/mini";
import type { ListedTool } from "./tool-specs.js";


/*
 * A server's whole tool list, through the pages (`nextCursor`). The SDK's own listTools refuses the
 * entire answer when one tool breaks its schema (an inputSchema without `type: "object"`, say); one
 * bad tool must not cost the server its other tools, so such an answer is read again leniently and
 * each tool taken on its own (the registry then decides about its schema).
 */

/** Pages a server may split its tool list into before the list is taken as endless. */
const MAX_PAGES = 100;

const lenientPage = z.looseObject({ tools: z.array(z.unknown()), nextCursor: z.optional(z.string()) });

const isMalformed = (error: unknown) => error instanceof Error && (error.name.includes("ZodError") || Array.isArray((error as { issues?: unknown }).issues));

function asListedTool(raw: unknown): ListedTool | undefined {
  if (raw === null || typeof raw !== "object") return undefined;
  const tool = raw as Record<string, unknown>;
  if (typeof tool.name !== "string" || !tool.name) return undefined;
  const text = (value: unknown) => (typeof value === "string" ? value : undefined);
  const schema = tool.inputSchema !== null && typeof tool.inputSchema === "object" && !Array.isArray(tool.inputSchema) ? (tool.inputSchema as Record<string, unknown>) : undefined;
  const execution = tool.execution !== null && typeof tool.execution === "object" ? (tool.execution as { taskSupport?: string }) : undefined;
  return { name: tool.name, title: text(tool.title), description: text(tool.description), inputSchema: schema, execution };
}

async function page(client: Client, cursor: string | undefined, timeoutMs: number, log: Logger, server: string): Promise<{ tools: ListedTool[]; nextCursor?: string | undefined }> {
  const params = cursor === undefined ? {} : { cursor };
  try {
    const result = await client.listTools(params, { timeout: timeoutMs });
    return { tools: result.tools as ListedTool[], nextCursor: result.nextCursor };
  } catch (error) {
    if (!isMalformed(error)) throw error;
    log.warn("an MCP server's tool list does not follow the MCP schema; its tools are taken one by one", { server, error });
    const result = await client.request({ method: "tools/list", params }, lenientPage, { timeout: timeoutMs });
    const tools = result.tools.map(asListedTool).filter((t): t is ListedTool => t !== undefined);
    return { tools, nextCursor: result.nextCursor };
  }
}

/** Every tool the server offers. */
export async function listAllTools(client: Client, timeoutMs: number, log: Logger, server: string): Promise<ListedTool[]> {
  const tools: ListedTool[] = [];
  let cursor: string | undefined;
  for (let n = 0; n < MAX_PAGES; n++) {
    const result = await page(client, cursor, timeoutMs, log, server);
    tools.push(...result.tools);
    cursor = result.nextCursor;
    if (!cursor) return tools;
  }
  return tools;
}
