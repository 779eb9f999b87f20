import type { ToolDefinition } from "@aleph/plugin-sdk";

/*
 * web_fetch as the model sees it: name, description, argument schema. Data only, in the entry; the
 * handler is in dist/runtime.js, loaded on the first call.
 */

export interface WebFetchArgs {
  url: string;
  max_chars?: number;
}

export const WEB_FETCH_SPEC: Omit<ToolDefinition, "handler"> = {
  name: "web_fetch",
  description:
    "Fetch a web page or document by URL (HTTP GET, http and https only) and return it as text: HTML is converted to plain text " +
    "(links kept as [url]), text, JSON, XML and Markdown come as they are; images and other binary files are refused. " +
    "Redirects are followed. Returns {url (after redirects), status, content_type, title?, truncated, bytes, text}; a 404 or " +
    "other error status still returns the page's text. Private, loopback and link-local addresses are refused unless the user allowed them.",
  parameters: {
    type: "object",
    properties: {
      url: { type: "string", minLength: 1, maxLength: 8192, description: "the absolute http:// or https:// URL to fetch (no user:password@)" },
      max_chars: { type: "integer", minimum: 1, description: "return at most this many characters of text (default and ceiling: the configured max_chars)" },
    },
    required: ["url"],
    additionalProperties: false,
  },
};
