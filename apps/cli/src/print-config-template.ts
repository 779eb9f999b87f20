import { bundledSectionSchemas } from "./config-json-schema.js";
import { configTemplate } from "./config-template.js";

/*
 * Prints the config.toml a new workspace gets. The build runs it once and ships the result as
 * dist/config-template.toml (tsup.config.ts): the template depends only on the kernel's schema
 * and the bundled plugins' shipped schemas, and computing it costs ~15 ms of every first start.
 */
process.stdout.write(configTemplate(bundledSectionSchemas()));
