import { z } from "zod";
import { PLUGIN_ID_PATTERN } from "@aleph/plugin-sdk";

/*
 * The kernel's sections of config.toml and providers.toml, with the seed's defaults.
 * [extensions] belongs to the kernel alone and is strict, so a typo there is an error.
 * gateway and interfaces are PROVISIONAL: their plugins (the gateway and channels) do not exist
 * yet, so the kernel types their keys until
 * each lands and takes its section over, shipping the schema as data like every plugin section
 * (config-schema-data.ts). They are loose: the owning plugin's schema checks the rest.
 */

export const gatewaySection = z.looseObject({
  host: z.string().min(1).default("127.0.0.1"),
  port: z.number().int().min(0).max(65_535).default(18_790),
  require_auth: z.boolean().default(false),
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
  /** `aleph start`'s supervisor kills and restarts a kernel whose event loop has been stuck this long. */
  stall_timeout_ms: z.number().int().min(1_000).max(600_000).default(10_000),
  /** How long an orderly shutdown may take (plugins' teardown) before the supervisor kills the kernel. */
  shutdown_timeout_ms: z.number().int().min(100).max(600_000).default(10_000),
  /** The kernel process's V8 heap cap (MiB): a runaway plugin meets it, not the machine's OOM killer. */
  kernel_max_heap_mb: z.number().int().min(64).max(65_536).default(2_048),
  /** Crashes or stalls blamed on a plugin (not certainly) before it is quarantined; a crash inside its import or setup quarantines it at once. */
  quarantine_after: z.number().int().min(1).max(100).default(2),
});

/** config.toml. Unknown top-level sections pass through: they belong to plugins. */
export const configFileSchema = z.looseObject({
  // Provider settings live in providers.toml (0600), owned by the providers plugin: a [providers]
  // table here would be silently ignored, so it is refused.
  providers: z.undefined({ error: "provider settings go in providers.toml ([providers.<name>]), not config.toml" }).optional(),
  gateway: gatewaySection.default(gatewaySection.parse({})),
  interfaces: z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/), z.looseObject({})).default({}),
  extensions: extensionsSection.default(extensionsSection.parse({})),
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
export const KERNEL_SECTIONS = ["gateway", "interfaces", "extensions"] as const;
