import { readFileSync } from "node:fs";
import { manifestFileIn, parseTomlText, pluginDirsIn, pluginSearchPaths, SOURCE_PRECEDENCE, type AlephPaths } from "@aleph/kernel/light";
import { compareStrings, RESERVED_COMMAND_WORDS, type CommandDeclaration, type CommandOptionDeclaration, type PluginSource } from "@aleph/plugin-sdk/core";

/*
 * The commands plugins declare, read from their manifests alone, fast enough for `aleph --help`:
 * TOML only, no plugin code, none of the kernel's validation stack. Running a command goes through
 * the kernel's full discovery and validation (run.ts); this index only has to name, describe and
 * parse. A manifest that is not valid TOML contributes no commands; it is listed in `unreadable`, so
 * a command meant for its plugin is answered with the manifest's error rather than "unknown".
 */

export interface IndexedCommand {
  declaration: CommandDeclaration;
  pluginId: string;
  source: PluginSource;
  dir: string;
  manifestFile: string;
  /** Where the handlers are, as the manifest says (`commands_entry`, else `entry`, else dist/index.js); not yet checked. */
  codeFile: string;
  /** `[plugin] daemon = true`. */
  daemon: boolean;
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

/** A plugin directory whose manifest is not TOML: its commands cannot be known (nor run). */
export interface UnreadableManifest {
  source: PluginSource;
  dir: string;
  manifestFile: string;
  /** The manifest's text, to guess whether a command typed was meant for this plugin. */
  text: string;
  error: string;
}

export interface CommandIndex {
  commands: IndexedCommand[];
  conflicts: CommandConflict[];
  unreadable: UnreadableManifest[];
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

/** A manifest's table, or why it cannot be read (and its text, when there is one). */
function readManifest(file: string): { table: Table } | { text: string; error: string } {
  let text = "";
  try {
    text = readFileSync(file, "utf8");
    return { table: parseTomlText(text) as Table };
  } catch (error) {
    return { text, error: (error as Error).message.split("\n")[0]! };
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
  const unreadable: UnreadableManifest[] = [];
  for (const { source, dir } of dirs) {
    const manifestFile = manifestFileIn(dir);
    if (!manifestFile) continue;
    const read = readManifest(manifestFile);
    if (!("table" in read)) {
      unreadable.push({ source, dir, manifestFile, ...read });
      continue;
    }
    const manifest = read.table;
    const id = isTable(manifest.plugin) ? str(manifest.plugin.id) : undefined;
    if (!id || owners.has(id)) continue;
    const disabledBy = ext.disabled.includes(id)
      ? `it is disabled in ${paths.configFile} ([extensions] disabled)`
      : source !== "bundled" && !ext.enabled
        ? `third-party plugins are off in ${paths.configFile} ([extensions] enabled = false)`
        : undefined;
    const declared = (Array.isArray(manifest!.commands) ? manifest!.commands : []).map(declarationOf).filter((d): d is CommandDeclaration => d !== undefined);
    const plugin = manifest.plugin as Table;
    const codeFile = str(plugin.commands_entry) ?? str(plugin.entry) ?? "dist/index.js";
    const daemon = plugin.daemon === true;
    owners.set(id, declared.map((declaration) => ({ declaration, pluginId: id, source, dir, manifestFile, codeFile, daemon, ...(disabledBy ? { disabledBy } : {}) })));
  }

  const byName = new Map<string, IndexedCommand[]>();
  for (const commands of owners.values()) for (const command of commands) byName.set(command.declaration.name, [...(byName.get(command.declaration.name) ?? []), command]);
  const commands: IndexedCommand[] = [];
  const conflicts: CommandConflict[] = [];
  for (const [name, declared] of byName) {
    // A plugin that will not load yields its command to one that will; among equals, the stronger source wins.
    declared.sort((a, b) => Number(a.disabledBy !== undefined) - Number(b.disabledBy !== undefined) || SOURCE_PRECEDENCE[a.source] - SOURCE_PRECEDENCE[b.source] || compareStrings(a.pluginId, b.pluginId));
    if ((RESERVED_COMMAND_WORDS as readonly string[]).includes(name.split(" ")[0]!)) {
      for (const loser of declared) conflicts.push({ command: name, winner: loser, loser, reason: "reserved" });
      continue;
    }
    commands.push(declared[0]!);
    for (const loser of declared.slice(1)) conflicts.push({ command: name, winner: declared[0]!, loser, reason: "precedence" });
  }
  commands.sort((a, b) => compareStrings(a.declaration.name, b.declaration.name));
  return { commands, conflicts, unreadable };
}

/**
 * The unreadable manifest a command typed was probably meant for: its directory is named after the
 * command's first word, or its text declares a command starting with it.
 */
export function unreadableOwner(index: CommandIndex, words: string[]): UnreadableManifest | undefined {
  const first = words[0];
  if (!first || first.startsWith("-")) return undefined;
  const declares = new RegExp(`\\bname\\s*=\\s*["']${first.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}[ "']`);
  return index.unreadable.find((u) => u.dir.split(/[\\/]/).pop() === first || declares.test(u.text));
}

/** One line per conflict: what is ignored and why (ALEPH_E_COMMAND_CONFLICT). */
export function describeConflict(conflict: CommandConflict): string {
  const where = (c: IndexedCommand) => `plugin "${c.pluginId}" (${c.source}, ${c.manifestFile})`;
  if (conflict.reason === "reserved") {
    return `ALEPH_E_COMMAND_CONFLICT: ${where(conflict.loser)} declares "${conflict.command}", but "${conflict.command.split(" ")[0]}" is a kernel command word; the declaration is ignored. Fix: rename the command in its [[commands]]`;
  }
  const why = conflict.loser.disabledBy && !conflict.winner.disabledBy
    ? `"${conflict.loser.pluginId}" does not load`
    : conflict.winner.source === conflict.loser.source
      ? "same source, first id"
      : "higher-precedence source";
  return `ALEPH_E_COMMAND_CONFLICT: "${conflict.command}" is declared by ${where(conflict.winner)} and by ${where(conflict.loser)}; "${conflict.winner.pluginId}" wins (${why}). Fix: rename one of them`;
}
