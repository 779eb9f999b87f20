/*
 * Fixture plugins, written as plain .js files (no build step).
 *
 * The standard fixture provides each service in its `provides` as `{ name: <id> }`, looks up
 * every service in its `requires`, and emits from setup
 *   fixture.ran { id, marker, generation, bound: { <service>: <provider name> } }
 * so a test can prove which code runs and which provider it got. On dispose it emits
 *   fixture.disposed { id, generation }.
 */
import { cpSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export interface PluginSpec {
  id: string;
  version?: string;
  /** Entry file name (default index.js). */
  entry?: string;
  api?: string;
  priority?: number;
  provides?: string[];
  requires?: string[];
  optional?: string[];
  /** Extra lines appended inside [plugin]. */
  pluginExtra?: string;
  /** The whole manifest text, replacing the generated one. */
  manifest?: string;
  /** The entry's source, replacing the standard fixture. */
  code?: string;
  /** The marker the standard fixture reports. */
  marker?: string;
  /** Import the SDK's definePlugin (default false: the plugin imports nothing). */
  useSdk?: boolean;
  /** Extra files, by path relative to the plugin directory. */
  files?: Record<string, string>;
  /** Write no entry file at all. */
  noEntry?: boolean;
}

const list = (items: string[] = []) => `[${items.map((s) => JSON.stringify(s)).join(", ")}]`;

export function manifestText(spec: PluginSpec): string {
  if (spec.manifest !== undefined) return spec.manifest;
  return [
    "[plugin]",
    `id = ${JSON.stringify(spec.id)}`,
    `version = ${JSON.stringify(spec.version ?? "1.0.0")}`,
    `entry = ${JSON.stringify(spec.entry ?? "index.js")}`,
    ...(spec.api !== undefined ? [`api = ${JSON.stringify(spec.api)}`] : []),
    ...(spec.priority !== undefined ? [`priority = ${spec.priority}`] : []),
    ...(spec.pluginExtra ? [spec.pluginExtra] : []),
    "",
    "[services]",
    `provides = ${list(spec.provides)}`,
    `requires = ${list(spec.requires)}`,
    `optional = ${list(spec.optional)}`,
    "",
  ].join("\n");
}

/** The standard fixture's entry source. */
export function fixtureCode(spec: Pick<PluginSpec, "id" | "marker" | "provides" | "requires" | "useSdk">): string {
  const body = `{
  async setup(ctx) {
    for (const service of ${JSON.stringify(spec.provides ?? [])}) ctx.services.provide(service, { name: ${JSON.stringify(spec.id)} });
    const bound = {};
    for (const service of ${JSON.stringify(spec.requires ?? [])}) bound[service] = ctx.services.get(service).name;
    ctx.onDispose(() => ctx.events.emit("fixture.disposed", { id: ctx.id, generation: ctx.generation }));
    await ctx.events.emit("fixture.ran", { id: ctx.id, marker: ${JSON.stringify(spec.marker ?? "v1")}, generation: ctx.generation, bound });
  },
}`;
  return spec.useSdk
    ? `import { definePlugin } from "@aleph/plugin-sdk";\nexport default definePlugin(${body});\n`
    : `export default ${body};\n`;
}

/** Writes a plugin directory (creating it) and returns its path. */
export function writePlugin(dir: string, spec: PluginSpec): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "aleph_plugin.toml"), manifestText(spec));
  if (!spec.noEntry) {
    const entry = join(dir, spec.entry ?? "index.js");
    mkdirSync(dirname(entry), { recursive: true });
    writeFileSync(entry, spec.code ?? fixtureCode(spec));
  }
  for (const [file, text] of Object.entries(spec.files ?? {})) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

/**
 * Makes a plugin appear in a search path in one step: written in `staging`, then renamed into
 * `searchDir/<name>` (same file system), so the watcher never sees it half-written.
 */
export function installPlugin(staging: string, searchDir: string, name: string, spec: PluginSpec): string {
  const staged = writePlugin(join(staging, `${name}-${Math.random().toString(36).slice(2, 8)}`), spec);
  const target = join(searchDir, name);
  renameSync(staged, target);
  return target;
}

/** Copies a plugin directory (as `cp -r` would: files appear one by one). */
export function copyPlugin(from: string, to: string): void {
  cpSync(from, to, { recursive: true });
}
