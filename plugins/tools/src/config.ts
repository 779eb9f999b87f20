import { DEFAULT_APPROVAL_TIMEOUT_SECONDS, z } from "@aleph/plugin-sdk";

/*
 * [tools] of config.toml. Its sub-tables belong to the tool plugins ([tools.fs] to fs-tools,
 * [tools.shell] to shell, [tools.web] to web-fetch), each validating its own; here they are only
 * required to be tables, so a misspelt key of [tools] itself is still an error.
 */
export const toolsConfigSchema = z
  .object({
    approval_timeout: z
      .number()
      .int()
      .min(5)
      .max(86_400)
      .default(DEFAULT_APPROVAL_TIMEOUT_SECONDS)
      .describe("seconds an approval request waits for an answer before it is denied"),
  })
  .catchall(z.record(z.string(), z.unknown()));

export type ToolsConfig = z.output<typeof toolsConfigSchema>;
