import * as z from "@aleph/zod/mini";

/*
 * providers.toml, owned by this plugin (`config_key = "providers"`: the kernel hands it the file's
 * `[providers.<name>]` tables, `${ENV}` and `keys:` already resolved, and hot-reloads them). Each
 * table is strict, so a misspelt key (`api-key`) is an error naming it rather than a provider that
 * silently has no key.
 */

export const PROVIDER_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export const providerSchema = z.strictObject({
  protocol: z.string().check(z.minLength(1), z.describe("anthropic, openai, ollama, or the name of a custom protocol in protocols/*.yaml")),
  model: z.optional(z.string().check(z.minLength(1))).check(z.describe("The model to ask (a custom protocol may give a default)")),
  api_key: z.optional(z.string()).check(z.describe('The key: inline, "${ENV_VAR}" or "keys:<name>" (the vault); never logged')),
  base_url: z.optional(z.url()).check(z.describe("The API root: openai includes /v1 (requests go to {base_url}/chat/completions)")),
  enabled: z._default(z.boolean(), true),
  reasoning: z._default(z.boolean(), false).check(z.describe("The provider takes thinking settings ([agent] thinking_level); most OpenAI-compatible servers refuse them")),
  headers: z._default(z.record(z.string(), z.string()), {}).check(z.describe("Extra HTTP headers sent with every request")),
  extra: z._default(z.record(z.string(), z.unknown()), {}).check(z.describe("Extra top-level fields merged into every request body")),
  embedding_model: z.optional(z.string().check(z.minLength(1))).check(z.describe("The model embed() uses on this provider (openai and ollama protocols)")),
  num_ctx: z.optional(z.number().check(z.int(), z.positive())).check(z.describe("Ollama's context window (options.num_ctx)")),
  timeout_ms: z._default(z.number().check(z.int(), z.minimum(1000), z.maximum(3_600_000)), 300_000).check(z.describe("The most one request may take, streaming included")),
  first_token_timeout_ms: z._default(z.number().check(z.int(), z.minimum(100), z.maximum(600_000)), 60_000).check(z.describe("The most to wait for the first streamed event before retrying")),
  max_retries: z._default(z.number().check(z.int(), z.minimum(0), z.maximum(10)), 3).check(z.describe("Retries of one request on 408, 429, 5xx and network errors")),
});

export const providersConfigSchema = z._default(z.record(z.string().check(z.regex(PROVIDER_NAME_PATTERN)), providerSchema), {});

export type ProviderConfig = z.output<typeof providerSchema>;
export type ProvidersConfig = z.output<typeof providersConfigSchema>;
