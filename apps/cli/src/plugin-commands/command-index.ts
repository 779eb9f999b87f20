import { readFileSync } from "node:fs";
import { manifestFileIn, parseTomlText, pluginDirsIn, pluginSearchPaths, SOURCE_PRECEDENCE, type AlephPaths } from "@aleph/kernel/light";
import { RESERVED_COMMAND_WORDS, type CommandDeclaration, type CommandOptionDeclaration, type PluginSource } from "@aleph/plugin-sdk/core";

/*
 * The commands plugins declare, read from their manifests alone, fast enough for `aleph --help`:
 * TOML only, no plugin code, none of the kernel's validation stack. Running a command goes through
 * the kernel's full discovery and validation (run.ts); this index only has to name, describe and
 * parse. A manifest that is not valid TOML contributes nothing here (and fails loudly there).
 */

export interface IndexedCommand {
  declaration: CommandDeclaration;
  pluginId: string;
  source: PluginSource;
  dir: string;
  manifestFile: string;
  /** Set when the plugin will not load: `[extensions] disabled` or, for third-party plugins, `enabled = false`. */
  disabledBy?: string;
}

export interface CommandConflict {
  command: string;
  winner: IndexedCommand;
  loser: IndexedCommand;
  /** "reserved" when the loser names a kernel command word. */
  reason: "precedence" | "reserved";
}

export interface CommandIndex {
  commands: IndexedCommand[];
  conflicts: CommandConflict[];
}

type Table = Record<string, unknown>;

const isTable = (value: unknown): value is Table => typeof value === "object" && value !== null && !Array.isArray(value);
const str = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

function readToml(file: string): Table | undefined {
  try {
    return parseTomlText(readFileSync(file, "utf8")) as Table;
  } catch {
    return undefined;
  }
}

/** A `[[commands]]` entry as far as it can be read; undefined when it lacks a name or summary. */
function declarationOf(raw: unknown): CommandDeclaration | undefined {
  if (!isTable(raw) || !str(raw.name) || !str(raw.summary)) return undefined;
  const args = (Array.isArray(raw.args) ? raw.args : []).filter(isTable).map((a) => ({
    name: str(a.name) ?? "arg",
    required: a.required === true,
    variadic: a.variadic === true,
    ...(str(a.summary) ? { summary: str(a.summary)! } : {}),
  }));
  const options: CommandOptionDeclaration[] = (Array.isArray(raw.options) ? raw.options : []).filter(isTable).map((o) => {
    const type = ["string", "integer", "number", "boolean"].includes(String(o.type)) ? (o.type as CommandOptionDeclaration["type"]) : "string";
    const option: CommandOptionDeclaration = { name: str(o.name) ?? "option", type, required: o.required === true };
    if (str(o.summary)) option.summary = str(o.summary)!;
    if (str(o.short)) option.short = str(o.short)!;
    if (str(o.value)) option.value = str(o.value)!;
    if (["string", "number", "boolean"].includes(typeof o.default)) option.default = o.default as string | number | boolean;
    if (typeof o.min === "number") option.min = o.min;
    if (typeof o.max === "number") option.max = o.max;
    if (Array.isArray(o.choices)) option.choices = o.choices.map(String);
    return option;
  });
  const services = Array.isArray(raw.services) ? raw.services.map(String) : [];
  return { name: raw.name as string, summary: raw.summary as string, ...(str(raw.details) ? { details: str(raw.details)! } : {}), args, options, services, allPlugins: raw.all_plugins === true };
}

/** `[extensions]` as far as the command index needs it; a config that does not parse counts as the defaults. */
function extensionsOf(paths: AlephPaths): { enabled: boolean; disabled: string[] } {
  const config = readToml(paths.configFile);
  const ext = isTable(config?.extensions) ? config.extensions : {};
  return { enabled: ext.enabled !== false, disabled: Array.isArray(ext.disabled) ? ext.disabled.map(String) : [] };
}

/** Every plugin command, the winner of each name first; conflicts between declarations beside them. */
export function readCommandIndex(paths: AlephPaths, bundledDirs: string[]): CommandIndex {
  const ext = extensionsOf(paths);
  const dirs: { source: PluginSource; dir: string }[] = [];
  for (const path of pluginSearchPaths(paths)) for (const dir of pluginDirsIn(path)) dirs.push({ source: path.source, dir });
  for (const dir of bundledDirs) dirs.push({ source: "bundled", dir });

  // The strongest copy of each plugin id declares its commands (as discovery picks it).
  const owners = new Map<string, IndexedCommand[]>();
  for (const { source, dir } of dirs) {
    const manifestFile = manifestFileIn(dir);
    const manifest = manifestFile ? readToml(manifestFile) : undefined;
    const id = isTable(manifest?.plugin) ? str(manifest.plugin.id) : undefined;
    if (!manifestFile || !id || owners.has(id)) continue;
    const disabledBy = ext.disabled.includes(id)
      ? `it is disabled in ${paths.configFile} ([extensions] disabled)`
      : source !== "bundled" && !ext.enabled
        ? `third-party plugins are off in ${paths.configFile} ([extensions] enabled = false)`
        : undefined;
    const declared = (Array.isArray(manifest!.commands) ? manifest!.commands : []).map(declarationOf).filter((d): d is CommandDeclaration => d !== undefined);
    owners.set(id, declared.map((declaration) => ({ declaration, pluginId: id, source, dir, manifestFile, ...(disabledBy ? { disabledBy } : {}) })));
  }

  const byName = new Map<string, IndexedCommand[]>();
  for (const commands of owners.values()) for (const command of commands) byName.set(command.declaration.name, [...(byName.get(command.declaration.name) ?? []), command]);
  const commands: IndexedCommand[] = [];
  const conflicts: CommandConflict[] = [];
  for (const [name, declared] of byName) {
    declared.sort((a, b) => SOURCE_PRECEDENCE[a.source] - SOURCE_PRECEDENCE[b.source] || a.pluginId.localeCompare(b.pluginId));
    if ((RESERVED_COMMAND_WORDS as readonly string[]).includes(name.split(" ")[0]!)) {
      for (const loser of declared) conflicts.push({ command: name, winner: loser, loser, reason: "reserved" });
      continue;
    }
    commands.push(declared[0]!);
    for (const loser of declared.slice(1)) conflicts.push({ command: name, winner: declared[0]!, loser, reason: "precedence" });
  }
  commands.sort((a, b) => a.declaration.name.localeCompare(b.declaration.name));
  return { commands, conflicts };
}

/** One line per conflict: what is ignored and why (ALEPH_E_COMMAND_CONFLICT). */
export function describeConflict(conflict: CommandConflict): string {
  const where = (c: IndexedCommand) => `plugin "${c.pluginId}" (${c.source}, ${c.manifestFile})`;
  if (conflict.reason === "reserved") {
    return `ALEPH_E_COMMAND_CONFLICT: ${where(conflict.loser)} declares "${conflict.command}", but "${conflict.command.split(" ")[0]}" is a kernel command word; the declaration is ignored. Fix: rename the command in its [[commands]]`;
  }
  return `ALEPH_E_COMMAND_CONFLICT: "${conflict.command}" is declared by ${where(conflict.winner)} and by ${where(conflict.loser)}; "${conflict.winner.pluginId}" wins (${conflict.winner.source === conflict.loser.source ? "same source, first id" : "higher-precedence source"}). Fix: rename one of them`;
}
