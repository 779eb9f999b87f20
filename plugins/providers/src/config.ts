import { z } from "@aleph/plugin-sdk";

/*
 * providers.toml, owned by this plugin (`config_key = "providers"`: the kernel hands it the file's
 * `[providers.<name>]` tables, `${ENV}` and `keys:` already resolved, and hot-reloads them). Each
 * table is strict, so a misspelt key (`api-key`) is an error naming it rather than a provider that
 * silently has no key.
 */

export const PROVIDER_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export const providerSchema = z.strictObject({
  protocol: z.string().min(1).describe("anthropic, openai, ollama, or the name of a custom protocol in protocols/*.yaml"),
  model: z.string().min(1).optional().describe("The model to ask (a custom protocol may give a default)"),
  api_key: z.string().optional().describe('The key: inline, "${ENV_VAR}" or "keys:<name>" (the vault); never logged'),
  base_url: z.url().optional().describe("The API root: openai includes /v1 (requests go to {base_url}/chat/completions)"),
  enabled: z.boolean().default(true),
  reasoning: z.boolean().default(false).describe("The provider takes thinking settings ([agent] thinking_level); most OpenAI-compatible servers refuse them"),
  headers: z.record(z.string(), z.string()).default({}).describe("Extra HTTP headers sent with every request"),
  extra: z.record(z.string(), z.unknown()).default({}).describe("Extra top-level fields merged into every request body"),
  embedding_model: z.string().min(1).optional().describe("The model embed() uses on this provider (openai and ollama protocols)"),
  num_ctx: z.number().int().positive().optional().describe("Ollama's context window (options.num_ctx)"),
  timeout_ms: z.number().int().min(1000).max(3_600_000).default(300_000).describe("The most one request may take, streaming included"),
  first_token_timeout_ms: z.number().int().min(100).max(600_000).default(60_000).describe("The most to wait for the first streamed event before retrying"),
  max_retries: z.number().int().min(0).max(10).default(3).describe("Retries of one request on 408, 429, 5xx and network errors"),
});

export const providersConfigSchema = z.record(z.string().regex(PROVIDER_NAME_PATTERN), providerSchema).default({});

export type ProviderConfig = z.output<typeof providerSchema>;
export type ProvidersConfig = z.output<typeof providersConfigSchema>;
