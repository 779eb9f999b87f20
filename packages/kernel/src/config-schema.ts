import { z } from "zod";
import { PLUGIN_ID_PATTERN } from "@aleph/plugin-sdk";

/*
 * The kernel's sections of config.toml and providers.toml, with the seed's defaults.
 * [extensions] belongs to the kernel alone and is strict, so a typo there is an error.
 * gateway, interfaces, skills and memory are PROVISIONAL: their plugins (the agent loop,
 * the gateway and channels, skills, memory) do not exist yet, so the kernel types their keys until
 * each lands and takes its section over, shipping the schema as data like every plugin section
 * (config-schema-data.ts). They are loose: the owning plugin's schema checks the rest.
 */

export const gatewaySection = z.looseObject({
  host: z.string().min(1).default("127.0.0.1"),
  port: z.number().int().min(0).max(65_535).default(18_790),
  require_auth: z.boolean().default(false),
});

export const skillsSection = z.looseObject({
  enabled: z.boolean().default(true),
  skills_dir: z.string().min(1).default("skills"),
  auto_match_enabled: z.boolean().default(false),
});

export const extensionsSection = z.strictObject({
  /** Third-party plugins (user, system, project paths); bundled plugins always load. */
  enabled: z.boolean().default(true),
  hot_reload: z.boolean().default(true),
  // At least 50: chokidar drops a second change of one file that comes within 50 ms of the
  // first, so a shorter debounce could reload before the second write and never see it.
  debounce_ms: z.number().int().min(50).max(60_000).default(100),
  /** How long a plugin's setup may run before it is failed with ALEPH_E_TIMEOUT. */
  setup_timeout_ms: z.number().int().positive().max(600_000).default(10_000),
  /** Plugin ids not to load. */
  disabled: z.array(z.string().regex(PLUGIN_ID_PATTERN)).default([]),
});

export const memorySection = z.looseObject({
  auto_extract: z.boolean().default(true),
  max_facts: z.number().int().positive().default(10_000),
});

/** config.toml. Unknown top-level sections pass through: they belong to plugins. */
export const configFileSchema = z.looseObject({
  // Provider settings live in providers.toml (0600), owned by the providers plugin: a [providers]
  // table here would be silently ignored, so it is refused.
  providers: z.undefined({ error: "provider settings go in providers.toml ([providers.<name>]), not config.toml" }).optional(),
  gateway: gatewaySection.default(gatewaySection.parse({})),
  interfaces: z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/), z.looseObject({})).default({}),
  skills: skillsSection.default(skillsSection.parse({})),
  extensions: extensionsSection.default(extensionsSection.parse({})),
  memory: memorySection.default(memorySection.parse({})),
});

export const providerEntry = z.looseObject({
  protocol: z.string().min(1),
  model: z.string().min(1).optional(),
  api_key: z.string().optional(),
  base_url: z.url().optional(),
  enabled: z.boolean().default(true),
});

/** providers.toml: one [providers.<name>] table per provider. */
export const providersFileSchema = z.strictObject({
  providers: z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/), providerEntry).default({}),
});

export type KernelConfig = z.output<typeof configFileSchema>;
export type ProvidersConfig = z.output<typeof providersFileSchema>;
export type ExtensionsConfig = z.output<typeof extensionsSection>;

/** The kernel's own section names; every other top-level key belongs to a plugin. */
export const KERNEL_SECTIONS = ["gateway", "interfaces", "skills", "extensions", "memory"] as const;
