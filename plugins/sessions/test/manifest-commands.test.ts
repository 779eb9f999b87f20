/*
 * The [[commands]] of aleph_plugin.toml repeat the SDK's limits as data (help and usage errors are
 * served from the manifest without plugin code): they must stay equal to the constants the service
 * enforces, and every declared command must have its handler in the definition.
 */
import { describe, expect, it } from "vitest";
import { readPluginManifest } from "@aleph/testing";
import { DEFAULT_LIST_LIMIT, MAX_HISTORY_LIMIT, MAX_LIST_LIMIT, SESSION_ROLES } from "@aleph/plugin-sdk";
import plugin from "../src/index.js";
import { DEFAULT_SHOW_LIMIT } from "../src/commands/show.js";
import { pluginDir } from "./helpers.js";

interface DeclaredOption {
  name: string;
  type?: string;
  min?: number;
  max?: number;
  default?: unknown;
  choices?: string[];
  required?: boolean;
}
interface DeclaredCommand {
  name: string;
  args?: { name: string; summary?: string; required?: boolean }[];
  options?: DeclaredOption[];
}

const manifest = readPluginManifest(pluginDir) as { commands: DeclaredCommand[] };
const command = (name: string) => manifest.commands.find((c) => c.name === name)!;
const option = (commandName: string, optionName: string) => command(commandName).options!.find((o) => o.name === optionName)!;

describe("sessions plugin commands", () => {
  it("declares limits equal to the SDK's constants", () => {
    expect(option("sessions list", "limit")).toMatchObject({ type: "integer", min: 1, max: MAX_LIST_LIMIT, default: DEFAULT_LIST_LIMIT });
    expect(option("sessions show", "limit")).toMatchObject({ type: "integer", min: 1, max: MAX_HISTORY_LIMIT, default: DEFAULT_SHOW_LIMIT });
    expect(option("sessions show", "before")).toMatchObject({ type: "integer", min: 0 });
    expect(option("sessions export", "archived-at")).toMatchObject({ type: "integer", min: 0 });
    expect(option("sessions append", "role")).toMatchObject({ choices: [...SESSION_ROLES], required: true });
  });

  it("has a handler for every declared command, and declares every handler", () => {
    expect(Object.keys(plugin.commands ?? {}).sort()).toEqual(manifest.commands.map((c) => c.name).sort());
  });

  it("names each positional argument by what the usage error expects", () => {
    for (const name of ["sessions show", "sessions append", "sessions export", "sessions rm"]) {
      expect(command(name).args, name).toEqual([{ name: "key", summary: "a session key", required: true, variadic: false }]);
    }
    expect(command("sessions import").args).toEqual([{ name: "file", summary: "a file (or - for stdin)", required: true, variadic: false }]);
    expect(command("sessions list").args ?? []).toEqual([]);
  });
});
