import { chmodSync, existsSync, lstatSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { mkdirPrivateSync, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, writeFileAtomicSync } from "@aleph/plugin-sdk";
import type { AlephPaths } from "@aleph/kernel";

/** config.toml as `aleph init` writes it: every kernel default, commented out. */
export const CONFIG_TEMPLATE = `# Aleph configuration. Every key below is the default, commented out: uncomment to change it.
# Reference: docs/config.md. JSON Schema for editors: \`aleph config schema\`.
# Values may reference environment variables as \${NAME}. Changes apply while aleph runs.

# [agent]
# max_iterations = 25
# token_budget = 128000
# thinking_level = "medium"        # off | minimal | low | medium | high
# enable_compression = true
# compression_threshold = 100000

# [gateway]
# host = "127.0.0.1"
# port = 18790
# require_auth = false

# [interfaces.telegram]            # one table per channel
# token = "\${TELEGRAM_BOT_TOKEN}"
# allow_from = ["+1234567890"]

# [skills]
# enabled = true
# skills_dir = "skills"
# auto_match_enabled = false

# [extensions]
# enabled = true                   # false: load only the bundled plugins
# hot_reload = true                # watch the plugin search paths
# debounce_ms = 100                # quiet time before a changed plugin reloads
# setup_timeout_ms = 10000         # a plugin's setup must finish within this
# disabled = []                    # plugin ids not to load

# [memory]
# auto_extract = true
# max_facts = 10000

# [sessions]                       # the session store, sessions.db
# max_message_bytes = 1048576      # largest stored message (bytes of its JSON)
# synchronous = "full"             # full (survives power loss) | normal (survives crashes, faster)
# busy_timeout_ms = 5000

# [sessions.subagents]
# max_active = 8                   # sub-agents acquired at once
# max_idle = 16                    # idle ones kept in memory; the rest are swapped out
# swap_after_ms = 300000           # idle this long: context swapped out to swap/
# max_context_bytes = 16777216

# [chat]                           # the chat source of truth, chat/chats/<chatId>.jsonl
# max_message_bytes = 65536
# fsync = true

# [[agents]]                       # one table per agent; without any, there is one agent: main
# id = "main"                      # \`aleph agents add|remove\` edit these tables
# preset = "default"               # default | openboa
# workspace = "agents/main/workspace"
# required = ["SOUL.md", "IDENTITY.md", "AGENTS.md"]
# bootstrap = { per_file_chars = 20000, total_chars = 150000 }
`;

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
    writeFileAtomicSync(path, content, { mode: PRIVATE_FILE_MODE });
    chmodSync(path, PRIVATE_FILE_MODE);
    created.push(path);
  };
  dir(paths.root);
  file(paths.configFile, CONFIG_TEMPLATE);
  file(paths.providersFile, PROVIDERS_TEMPLATE);
  dir(paths.userPluginsDir);
  dir(paths.logDir);
  dir(paths.runDir);
  dir(paths.credentialsDir);
  // The stores' directories (each store is created by its plugin on first use).
  for (const sub of ["agents", "memory", "skills", "protocols", "chat", "audit"]) dir(join(paths.root, sub));
  const homeBased = paths.rootOrigin === "default" || paths.rootOrigin === "XDG_CONFIG_HOME" || paths.rootOrigin === "ALEPH_HOME";
  const link = join(paths.home, ".aleph");
  if (homeBased && !exists(link)) {
    symlinkSync(paths.root, link, "dir");
    created.push(`${link} -> ${paths.root}`);
  }
  return { root: paths.root, created };
}
