import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { explainInvalidId, AlephError, type PluginSource } from "@aleph/plugin-sdk/core";

type Env = Record<string, string | undefined>;

/** Where the state root came from, for `aleph doctor` and error messages. */
export type StateRootOrigin = "ALEPH_STATE_DIR" | "ALEPH_PROFILE" | "ALEPH_HOME" | "XDG_CONFIG_HOME" | "default" | "legacy ~/.aleph";

export interface PluginSearchPath {
  source: PluginSource;
  dir: string;
}

/** Every path the kernel and the CLI use, resolved once from the environment. */
export interface AlephPaths {
  root: string;
  rootOrigin: StateRootOrigin;
  home: string;
  configFile: string;
  providersFile: string;
  logDir: string;
  credentialsDir: string;
  /** The default agent's Markdown workspace. */
  workspaceDir: string;
  runDir: string;
  dataDir: string;
  userPluginsDir: string;
  systemPluginsDir: string;
  projectPluginsDir: string;
}

export interface ResolvePathsOptions {
  env?: Env;
  cwd?: string;
  homeDir?: string;
}

function absolute(value: string, cwd: string): string {
  return isAbsolute(value) ? value : resolve(cwd, value);
}

/**
 * The state root, first match wins:
 * ALEPH_STATE_DIR > ALEPH_PROFILE (not "default") > ALEPH_HOME > XDG_CONFIG_HOME/~/.config/aleph,
 * falling back to a legacy ~/.aleph when ~/.config/aleph does not exist but ~/.aleph does.
 */
export function resolveStateRoot(options: ResolvePathsOptions = {}): { root: string; origin: StateRootOrigin; home: string } {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const home = env.ALEPH_HOME ? absolute(env.ALEPH_HOME, cwd) : (options.homeDir ?? homedir());
  if (env.ALEPH_STATE_DIR) return { root: absolute(env.ALEPH_STATE_DIR, cwd), origin: "ALEPH_STATE_DIR", home };
  // ALEPH_HOME stands in for the home directory; XDG_CONFIG_HOME applies only to the real home.
  const configBase = env.ALEPH_HOME ? join(home, ".config") : env.XDG_CONFIG_HOME ? absolute(env.XDG_CONFIG_HOME, cwd) : join(home, ".config");
  const profile = env.ALEPH_PROFILE;
  if (profile && profile !== "default") {
    const problem = explainInvalidId("ALEPH_PROFILE", profile, { maxLength: 64 });
    if (problem) throw new AlephError("ALEPH_E_INVALID_ID", problem, { fix: "set ALEPH_PROFILE to a simple name such as work or test" });
    return { root: join(configBase, `aleph-${profile}`), origin: "ALEPH_PROFILE", home };
  }
  const root = join(configBase, "aleph");
  const legacy = join(home, ".aleph");
  if (!existsSync(root) && existsSync(legacy)) return { root: legacy, origin: "legacy ~/.aleph", home };
  const origin: StateRootOrigin = env.ALEPH_HOME ? "ALEPH_HOME" : env.XDG_CONFIG_HOME ? "XDG_CONFIG_HOME" : "default";
  return { root, origin, home };
}

/** Resolves the state root and every override of ARCHITECTURE §2. */
export function resolvePaths(options: ResolvePathsOptions = {}): AlephPaths {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const { root, origin, home } = resolveStateRoot(options);
  return {
    root,
    rootOrigin: origin,
    home,
    configFile: env.ALEPH_CONFIG ? absolute(env.ALEPH_CONFIG, cwd) : join(root, "config.toml"),
    providersFile: join(root, "providers.toml"),
    logDir: env.ALEPH_LOG_DIR ? absolute(env.ALEPH_LOG_DIR, cwd) : join(root, "logs"),
    credentialsDir: env.ALEPH_CREDENTIALS_DIR ? absolute(env.ALEPH_CREDENTIALS_DIR, cwd) : join(root, "keys"),
    workspaceDir: env.ALEPH_WORKSPACE ? absolute(env.ALEPH_WORKSPACE, cwd) : join(root, "agents", "main", "workspace"),
    runDir: join(root, "run"),
    dataDir: join(root, "data"),
    userPluginsDir: join(root, "plugins"),
    systemPluginsDir: env.ALEPH_SYSTEM_PLUGINS_DIR ? absolute(env.ALEPH_SYSTEM_PLUGINS_DIR, cwd) : "/usr/local/share/aleph/plugins",
    projectPluginsDir: join(cwd, "plugins"),
  };
}

/** The three watched search paths in priority order; bundled plugins are added by the launcher. */
export function pluginSearchPaths(paths: AlephPaths): PluginSearchPath[] {
  return [
    { source: "user", dir: paths.userPluginsDir },
    { source: "system", dir: paths.systemPluginsDir },
    { source: "project", dir: paths.projectPluginsDir },
  ];
}

/** Precedence of a source; lower is stronger. */
export const SOURCE_PRECEDENCE: Record<PluginSource, number> = { user: 0, system: 1, project: 2, bundled: 3 };
