import { describe, expect, it } from "vitest";
import { pluginIdFromName, suggestPluginId } from "./plugin-name.js";

describe("plugin names for aleph plugins new", () => {
  it("accepts a plugin id as it is", () => {
    for (const name of ["word-smith", "a", "x1-2"]) expect(pluginIdFromName(name)).toBe(name);
  });

  it("refuses a name that is not a plugin id with the one rule that applies and a valid name to use", () => {
    try {
      pluginIdFromName("Bad_Name");
      expect.unreachable();
    } catch (error) {
      const { code, message, fix } = error as { code: string; message: string; fix: string };
      expect(code).toBe("ALEPH_E_INVALID_ID");
      expect(message).toMatch(/^plugin name "Bad_Name" does not match .*: the name becomes the directory, the package name and the plugin id/);
      expect(fix).toBe('use lowercase letters, digits and "-", starting with a letter or digit, at most 64 characters — e.g. `aleph plugins new bad-name`');
      expect(fix).not.toMatch(/"\."|"_"/);
    }
  });

  it("suggests the nearest valid id", () => {
    expect(suggestPluginId("bad_name")).toBe("bad-name");
    expect(suggestPluginId("My.Cool  Plugin!")).toBe("my-cool-plugin");
    expect(suggestPluginId("__x__")).toBe("x");
    expect(suggestPluginId("Bad/Name")).toBe("bad-name");
    expect(suggestPluginId("ünïcode")).toBe("n-code");
    expect(suggestPluginId("***")).toBe("my-plugin");
    expect(suggestPluginId("a".repeat(70) + "-b")).toHaveLength(64);
  });
});
