import { z } from "@aleph/plugin-sdk";

/** One [[agents]] table of config.toml. */
const agentEntry = z.strictObject({
  id: z.string().min(1),
  /** The agent's Markdown workspace: absolute, or relative to the state root. */
  workspace: z.string().min(1).optional(),
  preset: z.enum(["default", "openboa"]).default("default"),
  /** Replaces the preset's required files. */
  required: z.array(z.string().min(1)).optional(),
  /** Character limits of the bootstrap context (per file, and all files together). */
  bootstrap: z
    .strictObject({
      per_file_chars: z.number().int().min(0).default(20_000),
      total_chars: z.number().int().min(0).default(150_000),
    })
    .default({ per_file_chars: 20_000, total_chars: 150_000 }),
});

/**
 * The plugin owns `[[agents]]` (its config_key is "agents"). Without any, there is one agent:
 * `main`. Ids must be unique.
 */
export const agentsConfig = z
  .array(agentEntry)
  .default([{ id: "main", preset: "default", bootstrap: { per_file_chars: 20_000, total_chars: 150_000 } }])
  .superRefine((agents, ctx) => {
    const seen = new Set<string>();
    agents.forEach((agent, i) => {
      if (seen.has(agent.id)) ctx.addIssue({ code: "custom", path: [i, "id"], message: `agent "${agent.id}" is declared twice` });
      seen.add(agent.id);
    });
  });

export type AgentsConfig = z.output<typeof agentsConfig>;
