import { REDACTED, SECRET_KEY_PATTERN, type ModelErrorInfo, type ModelErrorKind } from "@aleph/plugin-sdk";
import { numberAt, objectAt, parseJson, stringAt, valueAtPath } from "./json-fields.js";
import type { Endpoint } from "./protocol.js";

/*
 * What a provider's failure means, the same for every protocol: the HTTP status decides first, the
 * provider's own error type refines it (a 429 that says `insufficient_quota` is an empty account,
 * not a busy one; a 400 about the credit balance likewise), and without a status (an error event
 * inside a stream) the type alone decides. The provider's message is quoted — it is usually the
 * best explanation there is — with the key scrubbed out, since some servers echo what they got.
 */

/** What a provider said about its failure, read from its error body or error event. */
export interface ProviderErrorDetails {
  message?: string;
  /** Its error type and code words (`overloaded_error`, `insufficient_quota`…). */
  types: string[];
}

const LONGEST_QUOTE = 500;

const RETRYABLE_STATUSES = new Set([408, 409, 425, 429]);

/** The normalised error for an HTTP error answer. */
export function classifyHttpError(status: number, details: ProviderErrorDetails, headers: Headers, endpoint: Endpoint): ModelErrorInfo {
  const kind = kindOfStatus(status, details);
  const info = errorInfo(kind, `${endpoint.provider} answered HTTP ${status}: ${quote(details.message, endpoint) ?? "(no message)"}`, endpoint, status);
  const retryAfter = retryAfterMs(headers);
  return retryAfter === undefined ? info : { ...info, retryAfterMs: retryAfter };
}

/** The normalised error for an error the provider sent inside a stream (no HTTP status to go by). */
export function classifyStreamedError(details: ProviderErrorDetails, endpoint: Endpoint): ModelErrorInfo {
  return errorInfo(kindOfTypes(details) ?? "stream", `${endpoint.provider} sent an error mid-stream: ${quote(details.message, endpoint) ?? "(no message)"}`, endpoint);
}

/** What an HTTP error answer means: its body read by `errorDetails`, its status, its Retry-After. */
export function parseHttpError(status: number, bodyText: string, headers: Headers, endpoint: Endpoint): ModelErrorInfo {
  return classifyHttpError(status, readErrorBody(bodyText, endpoint), headers, endpoint);
}

/**
 * The details of an error body: through the custom protocol's `error` path when it has one, else
 * by `errorDetails`; a body that is not JSON (a proxy's HTML page) is quoted as text, and so is
 * JSON of a shape nobody documented.
 */
export function readErrorBody(bodyText: string, endpoint: Endpoint): ProviderErrorDetails {
  const parsed = parseJson(bodyText);
  if (!parsed.ok) {
    const text = bodyText.replace(/\s+/g, " ").trim();
    return text === "" ? { types: [] } : { message: text, types: [] };
  }
  const details = errorDetails(parsed.value);
  const path = endpoint.responsePaths?.error;
  if (path) {
    const custom = valueAtPath(parsed.value, path);
    if (typeof custom === "string") return { ...details, message: custom };
  }
  if (details.message === undefined && details.types.length === 0) return { message: bodyText.trim(), types: [] };
  return details;
}

/**
 * The message and type words of an error object, in any of the shapes the three protocols and the
 * servers copying them use: anthropic `{type:"error", error:{type, message}}`, openai
 * `{error:{message, type, code}}`, ollama `{error:"…"}`, vLLM and friends `{message, type, code}`.
 */
export function errorDetails(json: unknown): ProviderErrorDetails {
  const error = objectAt(json, "error");
  const message = stringAt(error, "message") ?? stringAt(json, "error") ?? stringAt(json, "message") ?? stringAt(json, "detail");
  const types = [stringAt(error, "type"), wordAt(error, "code"), stringAt(json, "type"), wordAt(json, "code")].filter(
    (word): word is string => word !== undefined && word !== "error",
  );
  return message === undefined ? { types } : { message, types };
}

function wordAt(value: unknown, key: string): string | undefined {
  return stringAt(value, key) ?? numberAt(value, key)?.toString();
}

/** Milliseconds the server asked us to wait: `retry-after-ms`, else `Retry-After` in seconds or as an HTTP date. */
export function retryAfterMs(headers: Headers, now: number = Date.now()): number | undefined {
  const precise = headers.get("retry-after-ms");
  if (precise !== null && /^\s*\d+(\.\d+)?\s*$/.test(precise)) return Math.round(Number(precise));
  const value = headers.get("retry-after")?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** A ModelErrorInfo of `kind`, with the code and fix that kind always carries. */
export function errorInfo(kind: ModelErrorKind, message: string, endpoint: Endpoint, status?: number): ModelErrorInfo {
  const where = `[providers.${endpoint.provider}] in providers.toml`;
  const base = { kind, message, provider: endpoint.provider, ...(status === undefined ? {} : { status }) };
  switch (kind) {
    case "auth":
      return { ...base, code: "ALEPH_E_PROVIDER_AUTH", fix: `check the api_key of ${where}: the provider refused it (wrong, expired or without access to model ${endpoint.model})` };
    case "billing":
      return { ...base, code: "ALEPH_E_PROVIDER_BILLING", fix: `add credit or raise the spending limit of the account behind ${where}, or use another provider` };
    case "not_found":
      return { ...base, code: "ALEPH_E_PROVIDER_NOT_FOUND", fix: `check model (${endpoint.model}) and base_url (${endpoint.baseUrl}) of ${where}` };
    case "invalid_request":
      return { ...base, code: "ALEPH_E_PROVIDER_REQUEST" };
    case "retryable":
      return { ...base, code: status === 429 ? "ALEPH_E_PROVIDER_RATE_LIMIT" : "ALEPH_E_PROVIDER_HTTP" };
    default:
      return { ...base, code: "ALEPH_E_PROVIDER_STREAM" };
  }
}

function kindOfStatus(status: number, details: ProviderErrorDetails): ModelErrorKind {
  if (status === 402 || isBilling(details)) return "billing";
  if (status === 401 || status === 403) return "auth";
  if (status === 404) return "not_found";
  if (RETRYABLE_STATUSES.has(status) || status >= 500) return "retryable";
  if (status >= 400) return kindOfTypes(details) === "retryable" ? "retryable" : "invalid_request";
  // A 1xx/3xx that fetch did not resolve: nothing says a second try would see anything else.
  return "invalid_request";
}

function kindOfTypes(details: ProviderErrorDetails): ModelErrorKind | undefined {
  const words = details.types.join(" ").toLowerCase();
  if (isBilling(details)) return "billing";
  if (/authentication|permission|invalid_api_key|unauthorized/.test(words)) return "auth";
  if (/not_found/.test(words)) return "not_found";
  if (/overloaded|rate_limit|api_error|server_error|timeout/.test(words)) return "retryable";
  if (/invalid_request|request_too_large/.test(words)) return "invalid_request";
  return undefined;
}

function isBilling(details: ProviderErrorDetails): boolean {
  // Anthropic answers an empty balance with a 400 whose message, not type, says so.
  return /billing|credit|insufficient_quota/.test(details.types.join(" ").toLowerCase()) || /credit balance/i.test(details.message ?? "");
}

/** The provider's message, one line, bounded, with every secret this endpoint sends replaced. */
function quote(message: string | undefined, endpoint: Endpoint): string | undefined {
  if (message === undefined || message.trim() === "") return undefined;
  let text = message.replace(/\s+/g, " ").trim();
  for (const secret of secretsOf(endpoint)) text = text.split(secret).join(REDACTED);
  return text.length > LONGEST_QUOTE ? `${text.slice(0, LONGEST_QUOTE)}…` : text;
}

function secretsOf(endpoint: Endpoint): string[] {
  const secrets = Object.entries(endpoint.headers)
    .filter(([name]) => SECRET_KEY_PATTERN.test(name))
    .map(([, value]) => value.replace(/^Bearer\s+/i, ""));
  if (endpoint.apiKey) secrets.push(endpoint.apiKey);
  // Short values would scrub ordinary words out of the message.
  return secrets.filter((secret) => secret.length >= 8);
}
