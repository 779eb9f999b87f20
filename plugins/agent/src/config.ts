import { DEFAULT_MAX_ITERATIONS, DEFAULT_MAX_TOKENS, THINKING_LEVELS, type ThinkingLevel } from "@aleph/plugin-sdk";
import * as z from "@aleph/zod/mini";

/*
 * The [agent] section of config.toml, owned by this plugin. Per-agent settings live in
 * [agent.agents.<id>] (never in [[agents]], which is the workspace plugin's).
 */

const providerNames = z.array(z.string().check(z.regex(/^[a-z0-9][a-z0-9_-]{0,63}$/))).check(z.minLength(1));
const toolNames = z.array(z.string().check(z.regex(/^[a-z][a-z0-9_]{0,127}$/)));

const perAgent = z.strictObject({
  providers: z.optional(providerNames).check(z.describe("This agent's failover order (default: [agent] providers)")),
  tools_allow: z.optional(toolNames).check(z.describe("Only these tools are offered to this agent")),
  tools_deny: z.optional(toolNames).check(z.describe("These tools are never offered to this agent")),
});

export const agentConfigSchema = z.strictObject({
  max_iterations: z._default(z.number().check(z.int(), z.minimum(1), z.maximum(1000)), DEFAULT_MAX_ITERATIONS).check(z.describe("model calls in one turn before a final answer without tools")),
  token_budget: z._default(z.number().check(z.int(), z.minimum(1000)), 128_000).check(z.describe("tokens of history sent with each request")),
  thinking_level: z._default(z.enum(THINKING_LEVELS as [ThinkingLevel, ...ThinkingLevel[]]), "medium").check(z.describe("sent only to providers with reasoning = true")),
  max_tokens: z._default(z.number().check(z.int(), z.minimum(1), z.maximum(1_000_000)), DEFAULT_MAX_TOKENS).check(z.describe("the most tokens of one answer")),
  temperature: z.optional(z.number().check(z.minimum(0), z.maximum(2))),
  enable_compression: z._default(z.boolean(), true),
  compression_threshold: z._default(z.number().check(z.int(), z.minimum(1000)), 100_000).check(z.describe("session tokens past which older history is summarised")),
  providers: z.optional(providerNames).check(z.describe("failover order (default: every enabled provider in providers.toml order)")),
  prompt_log_max_bytes: z._default(z.number().check(z.int(), z.minimum(0)), 10 * 1024 * 1024).check(z.describe("size of prompts/<sessionId>.jsonl before it stops growing")),
  agents: z._default(z.record(z.string().check(z.regex(/^[a-z0-9][a-z0-9_-]{0,63}$/)), perAgent), {}),
});

export type AgentConfig = z.output<typeof agentConfigSchema>;
