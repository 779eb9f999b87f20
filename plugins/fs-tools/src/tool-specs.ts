import type { ToolDefinition } from "@aleph/plugin-sdk";

/*
 * The file tools as the model sees them: names, descriptions, argument schemas. Data only, in the
 * entry; their handlers are in dist/runtime.js, loaded on the first call.
 */

export type FsToolName = "read_file" | "write_file" | "edit_file" | "list_dir" | "glob" | "grep";

export type FsToolSpec = Omit<ToolDefinition, "handler"> & { name: FsToolName };

const WHERE = "Paths are relative to your workspace (or absolute inside a folder granted to you).";
const str = (description: string) => ({ type: "string", description });
const line = (description: string) => ({ type: "integer", minimum: 1, description });

export const FS_TOOL_SPECS: readonly FsToolSpec[] = [
  {
    name: "read_file",
    description: `Read a text file, whole or a range of lines (1-based, inclusive). Long output is cut at a line, with a note saying where to read on. ${WHERE}`,
    parameters: {
      type: "object",
      properties: { path: str("the file"), start_line: line("first line to return (default 1)"), end_line: line("last line to return (default: the end)") },
      required: ["path"],
      additionalProperties: false,
    },
  },
  {
    name: "write_file",
    description: `Write a whole file (created, or replaced atomically), creating missing folders. To change part of a file, use edit_file. ${WHERE}`,
    parameters: {
      type: "object",
      properties: { path: str("the file"), content: str("the file's complete new content") },
      required: ["path", "content"],
      additionalProperties: false,
    },
  },
  {
    name: "edit_file",
    description: `Replace one exact piece of text in a file. old_text must occur exactly once, whitespace included: include enough surrounding lines to make it unique. ${WHERE}`,
    parameters: {
      type: "object",
      properties: { path: str("the file"), old_text: str("the exact text to replace"), new_text: str("what replaces it") },
      required: ["path", "old_text", "new_text"],
      additionalProperties: false,
    },
  },
  {
    name: "list_dir",
    description: `List a folder: each entry's name, type (file, dir, link) and size (files). ${WHERE}`,
    parameters: { type: "object", properties: { path: str("the folder (default: your workspace)") }, additionalProperties: false },
  },
  {
    name: "glob",
    description: `Find paths matching a glob pattern under a folder: * (within a name), ** (any folders), ?, [abc], {a,b}. E.g. "**/*.md". Folders end with "/"; node_modules and .git are not searched. ${WHERE}`,
    parameters: {
      type: "object",
      properties: { pattern: str("the pattern, relative to path"), path: str("the folder to search (default: your workspace)") },
      required: ["pattern"],
      additionalProperties: false,
    },
  },
  {
    name: "grep",
    description: `Search files for lines matching a JavaScript regular expression; returns "file:line:text". Binary files, node_modules and .git are skipped. ${WHERE}`,
    parameters: {
      type: "object",
      properties: {
        pattern: str("a JavaScript regular expression, e.g. \"function \\\\w+\\\\(\""),
        path: str("a file or folder to search (default: your workspace)"),
        glob: str('only files matching this glob; without "/" it is matched against the file name, e.g. "*.ts"'),
        ignore_case: { type: "boolean", description: "match regardless of case" },
      },
      required: ["pattern"],
      additionalProperties: false,
    },
  },
];
