import { isAbsolute } from "node:path";
import * as z from "@aleph/zod/mini";

/*
 * The [tools.fs] section of config.toml, owned by this plugin: a table inside the tools plugin's
 * [tools], whose config handler keeps a change here from reloading the registry. Read on each
 * call: a granted root applies from the next one.
 */
export const fsToolsConfigSchema = z.strictObject({
  roots: z
    ._default(z.array(z.string().check(z.minLength(1), z.refine((p) => isAbsolute(p), { message: "must be an absolute path" }))), [])
    .check(z.describe("folders granted to every agent's file tools, read-write, besides its own workspace (absolute paths)")),
  max_read_bytes: z
    ._default(z.number().check(z.int(), z.minimum(1024), z.maximum(64 * 1024 * 1024)), 256 * 1024)
    .check(z.describe("bytes read_file returns at most; longer output is cut at a line with a marker saying how to read on")),
});

export type FsToolsConfig = z.output<typeof fsToolsConfigSchema>;
