import * as z from "@aleph/zod/mini";

/** One [[agents]] table of config.toml. */
const agentEntry = z.strictObject({
  id: z.string().check(z.minLength(1)),
  /** The agent's Markdown workspace: absolute, or relative to the state root. */
  workspace: z.optional(z.string().check(z.minLength(1))),
  preset: z._default(z.enum(["default", "openboa"]), "default"),
  /** Replaces the preset's required files. */
  required: z.optional(z.array(z.string().check(z.minLength(1)))),
  /** Character limits of the bootstrap context (per file, and all files together). */
  bootstrap: z._default(
    z.strictObject({
      per_file_chars: z._default(z.number().check(z.int(), z.minimum(0)), 20_000),
      total_chars: z._default(z.number().check(z.int(), z.minimum(0)), 150_000),
    }),
    { per_file_chars: 20_000, total_chars: 150_000 },
  ),
});

/**
 * The plugin owns `[[agents]]` (its config_key is "agents"). Without any, there is one agent:
 * `main`. Ids must be unique.
 */
export const agentsConfig = z._default(z.array(agentEntry), [{ id: "main", preset: "default", bootstrap: { per_file_chars: 20_000, total_chars: 150_000 } }]).check(
  z.superRefine((agents, ctx) => {
    const seen = new Set<string>();
    agents.forEach((agent, i) => {
      if (seen.has(agent.id)) ctx.addIssue({ code: "custom", path: [i, "id"], message: `agent "${agent.id}" is declared twice` });
      seen.add(agent.id);
    });
  }),
);

export type AgentsConfig = z.output<typeof agentsConfig>;
