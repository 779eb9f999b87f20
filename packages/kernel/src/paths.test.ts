import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { pluginSearchPaths, resolvePaths, resolveStateRoot } from "./paths.js";

const home = mkdtempSync(join(tmpdir(), "aleph-paths-"));
const cwd = "/work/project";
const root = (env: Record<string, string>) => resolveStateRoot({ env, cwd, homeDir: home });

describe("state root resolution", () => {
  it("defaults to ~/.config/aleph", () => {
    expect(root({})).toEqual({ root: join(home, ".config/aleph"), origin: "default", home });
  });

  it("honours XDG_CONFIG_HOME", () => {
    expect(root({ XDG_CONFIG_HOME: "/xdg" }).root).toBe("/xdg/aleph");
  });

  it("uses ALEPH_HOME as the home directory and ignores XDG_CONFIG_HOME then", () => {
    expect(root({ ALEPH_HOME: "/h", XDG_CONFIG_HOME: "/xdg" })).toMatchObject({ root: "/h/.config/aleph", origin: "ALEPH_HOME", home: "/h" });
  });

  it("gives a profile its own root, except the default profile", () => {
    expect(root({ ALEPH_PROFILE: "work" }).root).toBe(join(home, ".config/aleph-work"));
    expect(root({ ALEPH_PROFILE: "default" }).root).toBe(join(home, ".config/aleph"));
    expect(root({ ALEPH_PROFILE: "work", ALEPH_HOME: "/h" }).root).toBe("/h/.config/aleph-work");
  });

  it("refuses a profile name that is not a safe path segment", () => {
    expect(() => root({ ALEPH_PROFILE: "../evil" })).toThrow(/ALEPH_PROFILE/);
    expect(() => root({ ALEPH_PROFILE: "a/b" })).toThrow(/path separator/);
  });

  it("lets ALEPH_STATE_DIR win over everything, relative to the working directory", () => {
    expect(root({ ALEPH_STATE_DIR: "/s", ALEPH_PROFILE: "work", ALEPH_HOME: "/h", XDG_CONFIG_HOME: "/x" })).toMatchObject({ root: "/s", origin: "ALEPH_STATE_DIR" });
    expect(root({ ALEPH_STATE_DIR: "state" }).root).toBe("/work/project/state");
  });

  it("falls back to a legacy ~/.aleph only when ~/.config/aleph does not exist", () => {
    const h = mkdtempSync(join(tmpdir(), "aleph-legacy-"));
    mkdirSync(join(h, ".aleph"));
    expect(resolveStateRoot({ env: {}, homeDir: h })).toMatchObject({ root: join(h, ".aleph"), origin: "legacy ~/.aleph" });
    mkdirSync(join(h, ".config/aleph"), { recursive: true });
    expect(resolveStateRoot({ env: {}, homeDir: h }).root).toBe(join(h, ".config/aleph"));
  });
});

describe("derived paths", () => {
  it("places every file of the workspace under the root by default", () => {
    const p = resolvePaths({ env: { ALEPH_STATE_DIR: "/r" }, cwd });
    expect(p).toMatchObject({
      configFile: "/r/config.toml",
      providersFile: "/r/providers.toml",
      logDir: "/r/logs",
      credentialsDir: "/r/keys",
      workspaceDir: "/r/agents/main/workspace",
      runDir: "/r/run",
      userPluginsDir: "/r/plugins",
      systemPluginsDir: "/usr/local/share/aleph/plugins",
      projectPluginsDir: "/work/project/plugins",
    });
  });

  it("applies each override variable", () => {
    const p = resolvePaths({
      env: { ALEPH_STATE_DIR: "/r", ALEPH_CONFIG: "c.toml", ALEPH_LOG_DIR: "/l", ALEPH_CREDENTIALS_DIR: "/k", ALEPH_WORKSPACE: "/w", ALEPH_SYSTEM_PLUGINS_DIR: "/sys" },
      cwd,
    });
    expect(p).toMatchObject({ configFile: "/work/project/c.toml", logDir: "/l", credentialsDir: "/k", workspaceDir: "/w", systemPluginsDir: "/sys" });
  });

  it("lists the search paths in priority order: user, system, project", () => {
    const p = resolvePaths({ env: { ALEPH_STATE_DIR: "/r", ALEPH_SYSTEM_PLUGINS_DIR: "/sys" }, cwd });
    expect(pluginSearchPaths(p)).toEqual([
      { source: "user", dir: "/r/plugins" },
      { source: "system", dir: "/sys" },
      { source: "project", dir: "/work/project/plugins" },
    ]);
  });
});
