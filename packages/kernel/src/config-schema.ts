import { z } from "./zod-mini.js";
import { PLUGIN_ID_PATTERN } from "@aleph/plugin-sdk";

/*
 * The kernel's sections of config.toml and providers.toml, with the seed's defaults.
 * [extensions] belongs to the kernel alone and is strict, so a typo there is an error. Every other
 * section is a plugin's ([gateway] the gateway plugin's, [interfaces.<name>] each channel plugin's).
 */

export const extensionsSection = z.strictObject({
  /** Third-party plugins (user, system, project paths); bundled plugins always load. */
  enabled: z._default(z.boolean(), true),
  hot_reload: z._default(z.boolean(), true),
  // At least 50: chokidar drops a second change of one file that comes within 50 ms of the
  // first, so a shorter debounce could reload before the second write and never see it.
  debounce_ms: z._default(z.number().check(z.int(), z.minimum(50), z.maximum(60_000)), 100),
  /** How long a plugin's setup may run before it is failed with ALEPH_E_TIMEOUT. */
  setup_timeout_ms: z._default(z.number().check(z.int(), z.positive(), z.maximum(600_000)), 10_000),
  /** Plugin ids not to load. */
  disabled: z._default(z.array(z.string().check(z.regex(PLUGIN_ID_PATTERN))), []),
  /** `aleph start`'s supervisor kills and restarts a kernel whose event loop has been stuck this long. */
  stall_timeout_ms: z._default(z.number().check(z.int(), z.minimum(1_000), z.maximum(600_000)), 10_000),
  /** How long an orderly shutdown may take (plugins' teardown) before the supervisor kills the kernel. */
  shutdown_timeout_ms: z._default(z.number().check(z.int(), z.minimum(100), z.maximum(600_000)), 10_000),
  /** The kernel process's V8 heap cap (MiB): a runaway plugin meets it, not the machine's OOM killer. */
  kernel_max_heap_mb: z._default(z.number().check(z.int(), z.minimum(64), z.maximum(65_536)), 2_048),
  /** Crashes or stalls blamed on a plugin (not certainly) before it is quarantined; a crash inside its import or setup quarantines it at once. */
  quarantine_after: z._default(z.number().check(z.int(), z.minimum(1), z.maximum(100)), 2),
});

/** config.toml. Unknown top-level sections pass through: they belong to plugins. */
export const configFileSchema = z.looseObject({
  // Provider settings live in providers.toml (0600), owned by the providers plugin: a [providers]
  // table here would be silently ignored, so it is refused.
  providers: z.optional(z.undefined({ error: "provider settings go in providers.toml ([providers.<name>]), not config.toml" })),
  extensions: z._default(extensionsSection, () => extensionsSection.parse({})),
});

export const providerEntry = z.looseObject({
  protocol: z.string().check(z.minLength(1)),
  model: z.optional(z.string().check(z.minLength(1))),
  api_key: z.optional(z.string()),
  base_url: z.optional(z.url()),
  enabled: z._default(z.boolean(), true),
});

/** providers.toml: one [providers.<name>] table per provider. */
export const providersFileSchema = z.strictObject({
  providers: z._default(z.record(z.string().check(z.regex(/^[a-z0-9][a-z0-9_-]{0,63}$/)), providerEntry), {}),
});

export type KernelConfig = z.output<typeof configFileSchema>;
export type ProvidersConfig = z.output<typeof providersFileSchema>;
export type ExtensionsConfig = z.output<typeof extensionsSection>;

/** The kernel's own section names; every other top-level key belongs to a plugin. */
export const KERNEL_SECTIONS = ["extensions"] as const;
