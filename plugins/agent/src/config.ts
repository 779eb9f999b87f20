import { DEFAULT_MAX_ITERATIONS, DEFAULT_MAX_TOKENS, THINKING_LEVELS, z, type ThinkingLevel } from "@aleph/plugin-sdk";

/*
 * The [agent] section of config.toml, owned by this plugin. Per-agent settings live in
 * [agent.agents.<id>] (never in [[agents]], which is the workspace plugin's).
 */

const providerNames = z.array(z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/)).min(1);
const toolNames = z.array(z.string().regex(/^[a-z][a-z0-9_]{0,127}$/));

const perAgent = z.strictObject({
  providers: providerNames.optional().describe("This agent's failover order (default: [agent] providers)"),
  tools_allow: toolNames.optional().describe("Only these tools are offered to this agent"),
  tools_deny: toolNames.optional().describe("These tools are never offered to this agent"),
});

export const agentConfigSchema = z.strictObject({
  max_iterations: z.number().int().min(1).max(1000).default(DEFAULT_MAX_ITERATIONS).describe("model calls in one turn before a final answer without tools"),
  token_budget: z.number().int().min(1000).default(128_000).describe("tokens of history sent with each request"),
  thinking_level: z.enum(THINKING_LEVELS as [ThinkingLevel, ...ThinkingLevel[]]).default("medium").describe("sent only to providers with reasoning = true"),
  max_tokens: z.number().int().min(1).max(1_000_000).default(DEFAULT_MAX_TOKENS).describe("the most tokens of one answer"),
  temperature: z.number().min(0).max(2).optional(),
  enable_compression: z.boolean().default(true),
  compression_threshold: z.number().int().min(1000).default(100_000).describe("session tokens past which older history is summarised"),
  providers: providerNames.optional().describe("failover order (default: every enabled provider in providers.toml order)"),
  prompt_log_max_bytes: z.number().int().min(0).default(10 * 1024 * 1024).describe("size of prompts/<sessionId>.jsonl before it stops growing"),
  agents: z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/), perAgent).default({}),
});

export type AgentConfig = z.output<typeof agentConfigSchema>;
