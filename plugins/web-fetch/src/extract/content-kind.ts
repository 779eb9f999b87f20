/*
 * What web_fetch does with a response, by its Content-Type: HTML is converted to text, text-like
 * types (text/*, JSON, XML, JavaScript, YAML) are returned as they are, anything else is binary and
 * refused. Without a Content-Type the body decides (sniffBody).
 */

export type ContentKind = "html" | "text" | "binary";

export interface ContentType {
  /** The media type, lower case, without parameters ("text/html"); "" when the header is missing. */
  mediaType: string;
  /** The charset parameter, when given. */
  charset?: string;
  /** Undefined when the header is missing: sniff the body. */
  kind?: ContentKind;
}

const TEXT_APPLICATION_TYPES = new Set([
  "application/json",
  "application/xml",
  "application/javascript",
  "application/ecmascript",
  "application/x-javascript",
  "application/yaml",
  "application/x-yaml",
  "application/toml",
  "application/x-ndjson",
  "application/x-sh",
  "application/sql",
  "application/graphql",
]);

export function parseContentType(header: string | undefined): ContentType {
  if (header === undefined || header.trim() === "") return { mediaType: "" };
  const [type = "", ...params] = header.split(";");
  const mediaType = type.trim().toLowerCase();
  const charsetParam = params.map((p) => p.trim()).find((p) => /^charset\s*=/i.test(p));
  const charset = charsetParam?.replace(/^charset\s*=\s*/i, "").replace(/^["']|["']$/g, "").trim();
  return { mediaType, ...(charset ? { charset } : {}), kind: kindOf(mediaType) };
}

function kindOf(mediaType: string): ContentKind {
  if (mediaType === "text/html" || mediaType === "application/xhtml+xml") return "html";
  if (mediaType.startsWith("text/")) return "text";
  if (TEXT_APPLICATION_TYPES.has(mediaType) || mediaType.endsWith("+json") || mediaType.endsWith("+xml")) return "text";
  return "binary";
}

/** The kind of a body that came without a Content-Type: binary when its start holds a NUL byte (as git decides), HTML when it opens like a page. */
export function sniffBody(body: Buffer): ContentKind {
  const head = body.subarray(0, 8192);
  if (head.includes(0)) return "binary";
  const start = head.subarray(0, 512).toString("latin1").replace(/^\uFEFF|^\u00EF\u00BB\u00BF/, "").trimStart().toLowerCase();
  return start.startsWith("<!doctype html") || start.startsWith("<html") ? "html" : "text";
}
