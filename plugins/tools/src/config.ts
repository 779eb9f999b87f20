import { DEFAULT_APPROVAL_TIMEOUT_SECONDS } from "@aleph/plugin-sdk";
import * as z from "@aleph/zod/mini";

/*
 * [tools] of config.toml. Its sub-tables belong to the tool plugins ([tools.fs] to fs-tools,
 * [tools.shell] to shell, [tools.web] to web-fetch), each validating its own; here they are only
 * required to be tables, so a misspelt key of [tools] itself is still an error.
 */
export const toolsConfigSchema = z.catchall(
  z.object({
    approval_timeout: z
      ._default(z.number().check(z.int(), z.minimum(5), z.maximum(86_400)), DEFAULT_APPROVAL_TIMEOUT_SECONDS)
      .check(z.describe("seconds an approval request waits for an answer before it is denied")),
  }),
  z.record(z.string(), z.unknown()),
);

export type ToolsConfig = z.output<typeof toolsConfigSchema>;
