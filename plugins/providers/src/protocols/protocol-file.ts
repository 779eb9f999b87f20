import * as z from "@aleph/zod/mini";
import { BUILTIN_PROTOCOLS } from "./builtin-names.js";
import type { BuiltinProtocolName } from "./protocol.js";
import type { CustomProtocol } from "./registry.js";

/*
 * One custom protocol file, parsed with the `yaml` package (imported on first use: most
 * workspaces have no custom protocol) and checked field by field. Every problem names the file,
 * the line and the field.
 *
 *   name: groq                      # [a-z0-9][a-z0-9_-]*, not a built-in's name
 *   extends: openai                 # anthropic | openai | ollama
 *   base_url: https://api.groq.com/openai/v1
 *   model: llama-3.3-70b-versatile  # optional default
 *   auth: { header: Authorization, prefix: "Bearer " }
 *   headers: { X-Title: aleph }
 *   request: { extra: { service_tier: auto } }
 *   response: { content: choices.0.message.content, input_tokens: usage.prompt_tokens,
 *               output_tokens: usage.completion_tokens, error: error.message }
 */

const dottedPath = z.string().check(z.regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, "a dotted path such as choices.0.message.content"));

export const protocolFileSchema = z.strictObject({
  name: z
    .string()
    .check(
      z.regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, "lowercase letters, digits, - and _ (at most 64)"),
      z.refine((n) => !(BUILTIN_PROTOCOLS as readonly string[]).includes(n), "is a built-in protocol's name; choose another"),
    ),
  extends: z.enum(BUILTIN_PROTOCOLS as unknown as [BuiltinProtocolName, ...BuiltinProtocolName[]]),
  base_url: z.optional(z.url()),
  model: z.optional(z.string().check(z.minLength(1))),
  auth: z.optional(z.strictObject({ header: z.string().check(z.regex(/^[A-Za-z0-9-]+$/, "an HTTP header name")), prefix: z._default(z.string(), "") })),
  headers: z._default(z.record(z.string().check(z.regex(/^[A-Za-z0-9-]+$/, "an HTTP header name")), z.string()), {}),
  request: z._default(z.strictObject({ extra: z._default(z.record(z.string(), z.unknown()), {}) }), { extra: {} }),
  response: z.optional(
    z.strictObject({ content: z.optional(dottedPath), input_tokens: z.optional(dottedPath), output_tokens: z.optional(dottedPath), error: z.optional(dottedPath) }),
  ),
});

/** The fields of each strict table, for the message about a field that is none of them. */
const KNOWN_FIELDS: Record<string, readonly string[]> = {
  "": Object.keys(protocolFileSchema.shape),
  auth: ["header", "prefix"],
  request: ["extra"],
  response: ["content", "input_tokens", "output_tokens", "error"],
};

export interface ProtocolFileIssue {
  file: string;
  line?: number;
  field?: string;
  message: string;
}

export type ParsedProtocolFile = { ok: true; protocol: CustomProtocol } | { ok: false; name?: string; issues: ProtocolFileIssue[] };

export async function parseProtocolFile(text: string, file: string): Promise<ParsedProtocolFile> {
  const { parseDocument, LineCounter } = await import("yaml");
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    // linePos is only filled in with prettyErrors; the offset always is, and the LineCounter turns it into a line.
    return { ok: false, issues: doc.errors.map((e) => ({ file, line: e.linePos?.[0]?.line ?? lines.linePos(e.pos[0]).line, message: `invalid YAML: ${e.message.split("\n")[0]}` })) };
  }
  const data = doc.toJS() as unknown;
  const name = typeof (data as { name?: unknown })?.name === "string" ? (data as { name: string }).name : undefined;
  const result = protocolFileSchema.safeParse(data ?? {});
  if (!result.success) {
    const issues = result.error.issues.map((issue): ProtocolFileIssue => {
      const path = issue.path.map(String);
      // An unknown key is reported at the key itself.
      if (issue.code === "unrecognized_keys") path.push(issue.keys[0]!);
      const node = path.length > 0 ? (doc.getIn(path, true) as { range?: [number, number, number] } | undefined) : undefined;
      const keyNode = findKeyNode(doc, path);
      const offset = keyNode ?? node?.range?.[0];
      const message =
        issue.code === "unrecognized_keys"
          ? `unknown field (known: ${(KNOWN_FIELDS[issue.path.join(".")] ?? []).join(", ")})`
          : // zod's own text for a bad record key is "Invalid key in record": say what the key must be.
            issue.code === "invalid_key" && issue.issues[0]
            ? `the key must be ${issue.issues[0].message}`
            : issue.message;
      return { file, ...(offset !== undefined ? { line: lines.linePos(offset).line } : {}), ...(path.length ? { field: path.join(".") } : {}), message };
    });
    return { ok: false, ...(name ? { name } : {}), issues };
  }
  const p = result.data;
  return {
    ok: true,
    protocol: {
      name: p.name,
      extends: p.extends,
      file,
      overrides: {
        ...(p.base_url ? { baseUrl: p.base_url } : {}),
        ...(p.model ? { model: p.model } : {}),
        ...(p.auth ? { authHeader: p.auth.header, authPrefix: p.auth.prefix } : {}),
        headers: p.headers,
        extraBody: p.request.extra,
        ...(p.response
          ? {
              responsePaths: {
                ...(p.response.content ? { content: p.response.content } : {}),
                ...(p.response.input_tokens ? { inputTokens: p.response.input_tokens } : {}),
                ...(p.response.output_tokens ? { outputTokens: p.response.output_tokens } : {}),
                ...(p.response.error ? { error: p.response.error } : {}),
              },
            }
          : {}),
      },
    },
  };
}

/** The offset of the key of the map entry at `path` (a missing key: its parent's), for a line number. */
function findKeyNode(doc: { getIn(path: unknown[], keepScalar?: boolean): unknown; contents: unknown }, path: string[]): number | undefined {
  let node = doc.contents as { items?: { key?: { value?: unknown; range?: [number, number, number] }; value?: unknown }[]; range?: [number, number, number] } | undefined;
  let offset: number | undefined = node?.range?.[0];
  for (const segment of path) {
    const pair = node?.items?.find((item) => String(item.key?.value) === segment);
    if (!pair) return offset;
    offset = pair.key?.range?.[0] ?? offset;
    node = pair.value as typeof node;
  }
  return offset;
}
