import { AlephError, DEFAULT_MAX_TOKENS, type ModelRequest, type SystemBlock, type ThinkingLevel } from "@aleph/plugin-sdk";
import type { Endpoint } from "./protocol.js";

/* The parts of a ModelRequest every protocol reads the same way before writing them its own way. */

/** The system prompt as blocks, empty ones left out. */
export function systemBlocks(request: ModelRequest): SystemBlock[] {
  const system = request.system;
  if (system === undefined) return [];
  const blocks = typeof system === "string" ? [{ text: system }] : system;
  return blocks.filter((block) => block.text !== "");
}

/** The system prompt as one text, for protocols without blocks (the cache marks mean nothing there). */
export function systemText(request: ModelRequest): string {
  return systemBlocks(request)
    .map((block) => block.text)
    .join("\n\n");
}

/** The thinking level to send: none unless the provider takes thinking settings and the request asks for some. */
export function activeThinking(request: ModelRequest, endpoint: Endpoint): Exclude<ThinkingLevel, "off"> | undefined {
  const level = request.thinking;
  return endpoint.reasoning && level !== undefined && level !== "off" ? level : undefined;
}

export function maxTokensOf(request: ModelRequest): number {
  return request.maxTokens ?? DEFAULT_MAX_TOKENS;
}

export function modelOf(request: ModelRequest, endpoint: Endpoint): string {
  return request.model ?? endpoint.model;
}

/** Refuses what no protocol can send, before a request is spent on the provider's 400. */
export function checkRequest(request: ModelRequest, endpoint: Endpoint): void {
  if (request.messages.length === 0) {
    throw new AlephError("ALEPH_E_PROVIDER_REQUEST", `a request to ${endpoint.provider} has no messages`, { fix: "send at least one user message" });
  }
  const maxTokens = maxTokensOf(request);
  if (!Number.isInteger(maxTokens) || maxTokens < 1) {
    throw new AlephError("ALEPH_E_PROVIDER_REQUEST", `max_tokens must be a positive integer, not ${maxTokens}`, { fix: "set [agent] max_tokens in config.toml to a positive integer" });
  }
}
