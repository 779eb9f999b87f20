import { isAbsolute } from "node:path";
import { z } from "@aleph/plugin-sdk";

/*
 * The [fs_tools] section of config.toml, owned by this plugin. Not [tools.fs]: that would sit inside
 * the tools plugin's [tools] section, and the kernel reloads a plugin whose section changed when it
 * has no onConfigChange handler — granting a root would reload the whole tool registry.
 */
export const fsToolsConfigSchema = z.strictObject({
  roots: z
    .array(z.string().min(1).refine((p) => isAbsolute(p), { message: "must be an absolute path" }))
    .default([])
    .describe("folders granted to every agent's file tools, read-write, besides its own workspace (absolute paths)"),
  max_read_bytes: z
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024)
    .default(256 * 1024)
    .describe("bytes read_file returns at most; longer output is cut at a line with a marker saying how to read on"),
});

export type FsToolsConfig = z.output<typeof fsToolsConfigSchema>;
