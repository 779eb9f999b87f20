/*
 * The [[commands]] of aleph_plugin.toml are what the CLI parses and helps with, without plugin
 * code: every declared command has its handler in the definition, and both tools commands load
 * every plugin when no kernel runs (tools come from any plugin, not from one service).
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { readPluginManifest } from "@aleph/testing";
import plugin from "../src/index.js";

const manifest = readPluginManifest(fileURLToPath(new URL("..", import.meta.url)));

describe("tools plugin commands", () => {
  it("has a handler for every declared command, and declares every handler", () => {
    expect(Object.keys(plugin.commands ?? {}).sort()).toEqual(manifest.commands.map((c) => c.name).sort());
  });

  it("starts every plugin for list and call, and takes a required name and optional JSON arguments", () => {
    expect(manifest.commands.map((c) => [c.name, c.allPlugins])).toEqual([
      ["tools list", true],
      ["tools call", true],
      // Approval requests live in the running kernel: a kernel started for the command has none to load.
      ["approvals list", false],
      ["approvals approve", false],
      ["approvals deny", false],
    ]);
    const call = manifest.commands.find((c) => c.name === "tools call")!;
    expect(call.args.map((a) => [a.name, a.required])).toEqual([["name", true], ["json-args", false]]);
  });
});
