import { AlephError, type MemoryService, type ToolDefinition } from "@aleph/plugin-sdk";

/*
 * The tools an agent remembers with: search, add and forget facts, and edit its curated files.
 * Each acts for the calling agent only (the turn says which), never for another.
 */

function callerAgent(context: { agentId?: string }): string {
  return context.agentId ?? "main";
}

const str = (description: string) => ({ type: "string", description });

export function memoryTools(memory: () => MemoryService): ToolDefinition[] {
  return [
    {
      name: "memory_search",
      description: "Search your long-term memory (facts remembered from earlier conversations and notes). Returns the best matches with their ids.",
      parameters: {
        type: "object",
        properties: { query: str("what to look for"), k: { type: "integer", minimum: 1, maximum: 50, description: "how many facts (default 5)" }, tags: { type: "array", items: { type: "string" }, description: "only facts with every one of these tags" } },
        required: ["query"],
        additionalProperties: false,
      },
      handler: async (args: { query: string; k?: number; tags?: string[] }, context) => {
        const hits = await memory().search(args.query, { agentId: callerAgent(context), k: args.k ?? 5, ...(args.tags ? { tags: args.tags } : {}) });
        return hits.map((h) => ({ id: h.fact.id, text: h.fact.text, score: Number(h.score.toFixed(4)), createdAt: new Date(h.fact.createdAt).toISOString(), tags: h.fact.tags }));
      },
    },
    {
      name: "memory_add",
      description: "Remember a fact for later conversations (a durable statement, e.g. 'The user's daughter is called Mia'). The same fact twice is stored once.",
      parameters: {
        type: "object",
        properties: {
          text: str("the fact, as a self-contained sentence"),
          tags: { type: "array", items: { type: "string" } },
          importance: { type: "number", minimum: 0, maximum: 1, description: "0–1 (default 0.5)" },
          pinned: { type: "boolean", description: "never fades nor is evicted" },
        },
        required: ["text"],
        additionalProperties: false,
      },
      handler: async (args: { text: string; tags?: string[]; importance?: number; pinned?: boolean }, context) =>
        memory().add({
          agentId: callerAgent(context),
          text: args.text,
          ...(args.tags ? { tags: args.tags } : {}),
          ...(args.importance !== undefined ? { importance: args.importance } : {}),
          ...(args.pinned !== undefined ? { pinned: args.pinned } : {}),
          source: context.sessionKey ? `tool:${context.sessionKey}` : "tool",
        }),
    },
    {
      name: "memory_forget",
      description: "Forget a fact: by its id (from memory_search), or by text that appears in exactly one fact.",
      parameters: { type: "object", properties: { id: str("the fact's id"), match: str("text of the fact") }, additionalProperties: false },
      handler: async (args: { id?: string; match?: string }, context) => {
        if (args.id === undefined && args.match === undefined) throw new AlephError("ALEPH_E_TOOL_ARGS", "give the fact's id or some of its text");
        const fact = await memory().forget(args.id !== undefined ? { id: args.id } : { agentId: callerAgent(context), match: args.match! });
        return { forgotten: fact.id, text: fact.text };
      },
    },
    {
      name: "memory_curate",
      description:
        "Edit your curated memory files: MEMORY.md (your durable notes) or USER.md (about the user). Entries are short paragraphs; 'replace' and 'remove' name an entry by text it alone contains. Changes show in the prompt from the next session.",
      parameters: {
        type: "object",
        properties: {
          file: { type: "string", enum: ["MEMORY.md", "USER.md"] },
          action: { type: "string", enum: ["add", "replace", "remove"] },
          text: str("the new entry (add, replace)"),
          match: str("text that appears in exactly one entry (replace, remove)"),
        },
        required: ["file", "action"],
        additionalProperties: false,
      },
      handler: async (args: { file: "MEMORY.md" | "USER.md"; action: "add" | "replace" | "remove"; text?: string; match?: string }, context) => {
        const view = await memory().curate(callerAgent(context), args);
        return { file: view.file, entries: view.entries.length, chars: view.chars, maxChars: view.limits.fileMaxChars };
      },
    },
  ];
}
