import type { MediaStore } from "./media-store.js";

/*
 * An MCP tool result as the agent's tool result. The agent loop hands a string to the model as it
 * is and anything else as JSON, so:
 *
 * - text only (the common case): the texts, joined by newlines — what the server said, verbatim;
 * - anything else: `{ content: [...], structuredContent? }`, one entry per content block, in order:
 *   text `{type: "text", text}`; image and audio `{type, mimeType, path, bytes}` (the data written to
 *   a file, see MediaStore); an embedded resource `{type: "resource", uri, mimeType?, text}` (or
 *   `path`, `bytes` for a binary one); a resource link `{type: "resource_link", uri, name, …}`;
 *   `structuredContent` as the server sent it.
 *
 * `isError: true` is not a result: the caller throws with `errorText`, so the model reads
 * "error: …" as for any failing tool.
 */

export type MappedBlock =
  | { type: "text"; text: string }
  | { type: "image" | "audio"; mimeType: string; path: string; bytes: number }
  | { type: "resource"; uri: string; mimeType?: string; text?: string; path?: string; bytes?: number }
  | { type: "resource_link"; uri: string; name: string; title?: string; description?: string; mimeType?: string; size?: number }
  | { type: string; [key: string]: unknown };

export type MappedResult = string | { content: MappedBlock[]; structuredContent?: Record<string, unknown> };

export interface MappedOutcome {
  isError: boolean;
  value: MappedResult;
  /** The result as one text: what an error says. */
  errorText: string;
}

type Block = { type: string; [key: string]: unknown };

const str = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
const optional = <K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> => (value === undefined ? {} : ({ [key]: value } as Record<K, V>));

async function mapBlock(block: Block, media: MediaStore): Promise<MappedBlock> {
  switch (block.type) {
    case "text":
      return { type: "text", text: str(block.text) ?? "" };
    case "image":
    case "audio": {
      const mimeType = str(block.mimeType) ?? "application/octet-stream";
      const saved = await media.save(Buffer.from(str(block.data) ?? "", "base64"), mimeType);
      return { type: block.type, mimeType, path: saved.path, bytes: saved.bytes };
    }
    case "resource": {
      const resource = (block.resource ?? {}) as Record<string, unknown>;
      const uri = str(resource.uri) ?? "";
      const mimeType = str(resource.mimeType);
      if (typeof resource.blob === "string") {
        const saved = await media.save(Buffer.from(resource.blob, "base64"), mimeType);
        return { type: "resource", uri, ...optional("mimeType", mimeType), path: saved.path, bytes: saved.bytes };
      }
      return { type: "resource", uri, ...optional("mimeType", mimeType), ...optional("text", str(resource.text)) };
    }
    case "resource_link":
      return {
        type: "resource_link",
        uri: str(block.uri) ?? "",
        name: str(block.name) ?? "",
        ...optional("title", str(block.title)),
        ...optional("description", str(block.description)),
        ...optional("mimeType", str(block.mimeType)),
        ...optional("size", typeof block.size === "number" ? block.size : undefined),
      };
    default: {
      // A content type newer than this client: passed on without its metadata.
      const { _meta: _ignored, annotations: _annotations, ...rest } = block;
      return rest as MappedBlock;
    }
  }
}

function textOf(blocks: MappedBlock[]): string {
  return blocks
    .map((b) => (b.type === "text" ? (b as { text: string }).text : JSON.stringify(b)))
    .join("\n");
}

/** Maps a `tools/call` result (or a pre-2024-11 `{toolResult}` one). Media are written on the way. */
export async function mapToolResult(result: Record<string, unknown>, media: MediaStore): Promise<MappedOutcome> {
  if (!Array.isArray(result.content) && "toolResult" in result) {
    const legacy = result.toolResult;
    return { isError: false, value: typeof legacy === "string" ? legacy : { content: [{ type: "json", value: legacy }] }, errorText: JSON.stringify(legacy) };
  }
  const blocks = Array.isArray(result.content) ? (result.content as Block[]) : [];
  const content: MappedBlock[] = [];
  for (const block of blocks) content.push(await mapBlock(block, media));
  const structured = result.structuredContent !== null && typeof result.structuredContent === "object" ? (result.structuredContent as Record<string, unknown>) : undefined;
  const errorText = textOf(content) || (structured ? JSON.stringify(structured) : "the tool reported an error without saying why");
  const textOnly = content.every((b) => b.type === "text");
  const value: MappedResult = textOnly && !structured ? textOf(content) : { content, ...(structured ? { structuredContent: structured } : {}) };
  return { isError: result.isError === true, value, errorText };
}
