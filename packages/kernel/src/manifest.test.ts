import { describe, expect, it } from "vitest";
import { checkApi, parseManifest } from "./manifest.js";

const dir = "/plugins/p";
const file = `${dir}/aleph_plugin.toml`;
const parse = (text: string) => parseManifest(text, file, dir);
function failure(text: string) {
  const result = parse(text);
  if (result.ok) throw new Error("expected the manifest to be rejected");
  return result;
}

describe("parseManifest", () => {
  it("fills the defaults of a minimal manifest", () => {
    const result = parse(`[plugin]\nid = "memory"\nversion = "1.0.0"\n`);
    expect(result.ok && result.manifest).toEqual({
      id: "memory",
      version: "1.0.0",
      name: "memory",
      description: "",
      kind: "node",
      entry: "dist/index.js",
      api: "^1",
      priority: 0,
      configKey: "memory",
      configSchema: "dist/config.schema.json",
      services: { provides: [], requires: [], optional: [] },
      permissions: { allowedPaths: {}, allowedHosts: [] },
      limits: { timeoutMs: undefined, memoryMb: undefined },
      hooks: [],
      tools: [],
      commands: [],
      daemon: false,
      doctor: false,
      contributes: {},
    });
  });

  it("reads every key of a full wasm manifest and accepts the nodejs alias", () => {
    const wasm = parse(`[plugin]
id = "wc"
version = "0.2.0-beta.1"
kind = "wasm"
priority = 5
config_key = "interfaces.telegram"
[services]
requires = ["tools"]
[permissions]
allowed_paths = { "data" = "/data" }
allowed_hosts = ["api.example.com"]
[limits]
timeout_ms = 5000
memory_mb = 64
[[hooks]]
event = "message.received"
handler = "on_message"
[[tools]]
name = "word_count"
description = "Counts words"
handler = "word_count"
parameters = { type = "object", properties = { text = { type = "string" } }, required = ["text"] }
`);
    expect(wasm.ok).toBe(true);
    if (!wasm.ok) return;
    expect(wasm.manifest).toMatchObject({ kind: "wasm", entry: "plugin.wasm", priority: 5, configKey: "interfaces.telegram", limits: { timeoutMs: 5000, memoryMb: 64 } });
    expect(wasm.manifest.tools[0]!.parameters).toMatchObject({ required: ["text"] });
    expect(wasm.manifest.services).toEqual({ provides: [], requires: ["tools"], optional: [] });
    const implied = parse(`[plugin]\nid = "t"\nversion = "1.0.0"\nkind = "wasm"\n[[tools]]\nname = "a"\ndescription = "d"\nhandler = "a"\n`);
    expect(implied.ok && implied.manifest.services.optional).toEqual(["tools"]);
    const alias = parse(`[plugin]\nid = "n"\nversion = "1.0.0"\nkind = "nodejs"\n`);
    expect(alias.ok && alias.manifest.kind).toBe("node");
  });

  it("reports malformed TOML with its line", () => {
    const { error } = failure(`[plugin]\nid = "x"\nversion = 1.0.0\n`);
    expect(error.code).toBe("ALEPH_E_MANIFEST");
    expect(error.line).toBe(3);
    expect(error.file).toBe(file);
  });

  it("reports an unknown key by name and line, still knowing the id", () => {
    const result = failure(`[plugin]\nid = "x"\nversion = "1.0.0"\nentrypoint = "a.js"\n`);
    expect(result.id).toBe("x");
    expect(result.error.message).toMatch(/unknown key "entrypoint" in \[plugin\]/);
    expect(result.error.line).toBe(4);
    expect(failure(`[plugin]\nid = "x"\nversion = "1.0.0"\n[extras]\na = 1\n`).error.message).toMatch(/unknown key "extras"/);
  });

  it("requires a semver version", () => {
    expect(failure(`[plugin]\nid = "x"\nversion = "1.0"\n`).error.message).toMatch(/plugin\.version: is not a semver version/);
    expect(failure(`[plugin]\nid = "x"\n`).error.message).toMatch(/plugin\.version/);
  });

  it("refuses ids that are not safe path segments", () => {
    for (const [id, reason] of [
      ["../evil", /\.\./],
      ["a/b", /path separator/],
      ["", /empty/],
      ["Upper", /does not match/],
      ["a".repeat(65), /65 characters/],
      ["nul\u0000x", /NUL/],
    ] as const) {
      const result = failure(`[plugin]\nid = ${JSON.stringify(id)}\nversion = "1.0.0"\n`);
      expect(result.error.message).toMatch(reason);
      expect(result.id).toBeUndefined();
    }
  });

  it("refuses an entry outside the plugin directory", () => {
    for (const entry of ["../other/index.js", "/etc/passwd", "dist/../../x.js"]) {
      const result = failure(`[plugin]\nid = "x"\nversion = "1.0.0"\nentry = "${entry}"\n`);
      expect(result.error.code).toBe("ALEPH_E_ENTRY");
      expect(result.error.message).toMatch(/outside the plugin directory/);
    }
  });

  it("takes a commands_entry inside the plugin directory, for node plugins only", () => {
    const ok = parse(`[plugin]\nid = "x"\nversion = "1.0.0"\ncommands_entry = "dist/commands.js"\n`);
    expect(ok.ok && ok.manifest.commandsEntry).toBe("dist/commands.js");
    const outside = failure(`[plugin]\nid = "x"\nversion = "1.0.0"\ncommands_entry = "../y/commands.js"\n`);
    expect(outside.error.message).toMatch(/plugin\.commands_entry.*outside the plugin directory/s);
    const wasm = failure(`[plugin]\nid = "x"\nversion = "1.0.0"\nkind = "wasm"\ncommands_entry = "c.js"\n`);
    expect(wasm.error.message).toMatch(/a wasm plugin has no commands/);
  });

  it("refuses wasm-only tables on a node plugin", () => {
    expect(failure(`[plugin]\nid = "x"\nversion = "1.0.0"\n[[hooks]]\nevent = "a"\nhandler = "b"\n`).error.message).toMatch(/\[hooks\] applies to wasm plugins only/);
    expect(failure(`[plugin]\nid = "x"\nversion = "1.0.0"\n[permissions]\nallowed_hosts = ["x"]\n`).error.message).toMatch(/\[permissions\]/);
  });

  it("refuses contradictory service declarations and bad names", () => {
    expect(failure(`[plugin]\nid = "x"\nversion = "1.0.0"\n[services]\nrequires = ["a"]\noptional = ["a"]\n`).error.message).toMatch(/both required and optional/);
    expect(failure(`[plugin]\nid = "x"\nversion = "1.0.0"\n[services]\nprovides = ["a"]\nrequires = ["a"]\n`).error.message).toMatch(/both provided and required/);
    expect(failure(`[plugin]\nid = "x"\nversion = "1.0.0"\n[services]\nprovides = ["Bad Name"]\n`).error.message).toMatch(/not a service id/);
    expect(failure(`[plugin]\nid = "x"\nversion = "1.0.0"\napi = "banana"\n`).error.message).toMatch(/not a semver range/);
    expect(failure(`[plugin]\nid = "x"\nversion = "1.0.0"\nkind = "python"\n`).error.message).toMatch(/plugin\.kind/);
  });
});

describe("parseManifest [[commands]] argument names", () => {
  const withArg = (name: string) => `[plugin]\nid = "chat"\nversion = "1.0.0"\n[[commands]]\nname = "chat log"\nsummary = "Print a chat"\nargs = [{ name = "${name}", required = true }]\n`;

  it("accepts camelCase argument names (shown as <chatId> in help, read as cmd.args.chatId)", () => {
    const result = parse(withArg("chatId"));
    expect(result.ok && result.manifest.commands[0]!.args).toEqual([{ name: "chatId", required: true, variadic: false }]);
  });

  it("refuses argument names that do not start with a lowercase letter or hold other characters", () => {
    for (const name of ["ChatId", "chat_id", "chat id", "1st"]) expect(failure(withArg(name)).error.message, name).toMatch(/argument names are words/);
  });
});

describe("checkApi", () => {
  const manifest = (api: string) => {
    const r = parse(`[plugin]\nid = "x"\nversion = "1.0.0"\napi = "${api}"\n`);
    if (!r.ok) throw r.error;
    return r.manifest;
  };
  it("accepts a compatible range and explains an incompatible one", () => {
    expect(checkApi(manifest("^1"), "1.0.0", file)).toBeUndefined();
    expect(checkApi(manifest(">=1.0.0 <3"), "1.0.0", file)).toBeUndefined();
    const error = checkApi(manifest("^2"), "1.0.0", file);
    expect(error?.code).toBe("ALEPH_E_API");
    expect(error?.message).toMatch(/supports plugin API \^2, this host provides 1\.0\.0/);
    expect(error?.fix).toMatch(/1\.x/);
  });
});
