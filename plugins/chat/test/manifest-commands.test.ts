/*
 * The [[commands]] of aleph_plugin.toml repeat the SDK's limits as data (help and usage errors are
 * served from the manifest without plugin code): they must stay equal to the constants the service
 * enforces, and every declared command must have its handler in the definition.
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { readPluginManifest } from "@aleph/testing";
import { DEFAULT_CHAT_READ_LIMIT, MAX_CHAT_READ_LIMIT } from "@aleph/plugin-sdk";
import plugin from "../src/index.js";

interface DeclaredCommand {
  name: string;
  args?: { name: string; summary?: string; required?: boolean }[];
  options?: { name: string; type?: string; min?: number; max?: number; default?: unknown; required?: boolean }[];
}

const manifest = readPluginManifest(fileURLToPath(new URL("..", import.meta.url))) as { commands: DeclaredCommand[] };
const command = (name: string) => manifest.commands.find((c) => c.name === name)!;
const option = (commandName: string, optionName: string) => command(commandName).options!.find((o) => o.name === optionName)!;

describe("chat plugin commands", () => {
  it("declares limits equal to the SDK's constants", () => {
    expect(option("chat log", "limit")).toMatchObject({ type: "integer", min: 1, max: MAX_CHAT_READ_LIMIT, default: DEFAULT_CHAT_READ_LIMIT });
    expect(option("chat log", "after")).toMatchObject({ type: "integer", min: 0 });
  });

  it("has a handler for every declared command, and declares every handler", () => {
    expect(Object.keys(plugin.commands ?? {}).sort()).toEqual(manifest.commands.map((c) => c.name).sort());
  });

  it("names the chat id argument by what the usage error expects", () => {
    for (const name of ["chat log", "chat post"]) expect(command(name).args, name).toEqual([{ name: "chatId", summary: "a chat id", required: true, variadic: false }]);
  });
});
