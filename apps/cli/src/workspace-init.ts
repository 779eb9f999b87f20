import { chmodSync, existsSync, lstatSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { mkdirPrivateSync, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, writeFileAtomicSync } from "@aleph/plugin-sdk";
import type { AlephPaths } from "@aleph/kernel";
import { bundledSectionSchemas } from "./config-json-schema.js";
import { configTemplate } from "./config-template.js";

/** providers.toml as `aleph init` writes it (mode 0600: it holds credentials). */
export const PROVIDERS_TEMPLATE = `# Provider credentials. This file is created with mode 0600; keep it out of version control.
# api_key may be written inline, as \${ENV_VAR}, or (with the keys vault) as "keys:<name>".

# [providers.claude]
# protocol = "anthropic"
# model = "claude-opus-4-20250514"
# api_key = "\${ANTHROPIC_API_KEY}"
# enabled = true

# [providers.openai]
# protocol = "openai"
# model = "gpt-4o"
# api_key = "\${OPENAI_API_KEY}"
# enabled = true

# [providers.ollama]
# protocol = "ollama"
# model = "llama3.2"
# base_url = "http://localhost:11434"
# enabled = true
`;

export interface InitResult {
  root: string;
  created: string[];
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Creates what is missing of the workspace and never touches what exists. Everything it creates
 * is private (directories 0700, files 0600), set exactly whatever the umask. The ~/.aleph link is
 * made only for a home-based root (not for ALEPH_STATE_DIR or a profile), and only where nothing
 * named ~/.aleph exists.
 */
/** The template the build shipped (print-config-template.ts), else computed (running from source). */
function defaultConfigTemplate(): string {
  try {
    return readFileSync(new URL("./config-template.toml", import.meta.url), "utf8");
  } catch {
    return configTemplate(bundledSectionSchemas());
  }
}

export function initWorkspace(paths: AlephPaths): InitResult {
  const created: string[] = [];
  const dir = (path: string) => {
    if (existsSync(path)) return;
    mkdirPrivateSync(path);
    chmodSync(path, PRIVATE_DIR_MODE);
    created.push(path + "/");
  };
  const file = (path: string, content: string) => {
    if (exists(path)) return;
    // Templates, not data: lost to a power cut, they are written again (an empty config.toml means the defaults). Not fsync'd.
    writeFileAtomicSync(path, content, { mode: PRIVATE_FILE_MODE, durable: false });
    chmodSync(path, PRIVATE_FILE_MODE);
    created.push(path);
  };
  dir(paths.root);
  file(paths.configFile, defaultConfigTemplate());
  file(paths.providersFile, PROVIDERS_TEMPLATE);
  dir(paths.userPluginsDir);
  dir(paths.logDir);
  dir(paths.runDir);
  dir(paths.credentialsDir);
  // The stores' directories (each store is created by its plugin on first use; agents/ by the
  // workspace plugin's init, which `aleph init` calls next).
  for (const sub of ["memory", "skills", "protocols", "chat", "audit"]) dir(join(paths.root, sub));
  const homeBased = paths.rootOrigin === "default" || paths.rootOrigin === "XDG_CONFIG_HOME" || paths.rootOrigin === "ALEPH_HOME";
  const link = join(paths.home, ".aleph");
  if (homeBased && !exists(link)) {
    symlinkSync(paths.root, link, "dir");
    created.push(`${link} -> ${paths.root}`);
  }
  return { root: paths.root, created };
}

/**
 * `aleph start` on a root that does not exist yet creates it first, as `aleph init` would; true
 * when it did. (The plugins' part of seeding — soul.md, the main agent — follows in the kernel.)
 */
export function ensureWorkspace(paths: AlephPaths, err: (text: string) => void, fresh = !existsSync(paths.root)): boolean {
  if (!fresh) return false;
  const result = initWorkspace(paths);
  err(`Created workspace at ${result.root} (run \`aleph init --help\` for what it holds).\n`);
  return true;
}
