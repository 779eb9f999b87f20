#!/usr/bin/env node
/*
 * `aleph-config-schema [dir]`: writes a built plugin's config schema as data (dist/config.schema.json)
 * — run it after the build (`tsup … && aleph-config-schema`), see build.ts.
 */
import { writeConfigSchema } from "./build.js";

const dir = process.argv[2] ?? ".";
writeConfigSchema({ dir }).then(
  ({ file, written }) => {
    process.stdout.write(written ? `aleph-config-schema: wrote ${file}\n` : `aleph-config-schema: the plugin has no config schema; nothing written\n`);
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
