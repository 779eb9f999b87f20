import { existsSync, readFileSync } from "node:fs";
import { liftQuarantine, readQuarantine, resolvePaths, writeQuarantine } from "@aleph/kernel";
import { explainInvalidId, PLUGIN_ID_PATTERN, writeFileAtomicSync } from "@aleph/plugin-sdk";
import { UsageError, type Command } from "../command.js";
import { editDisabled } from "../disabled-list.js";
import { askRunningKernel } from "../kernel-handle/ask.js";

/*
 * `aleph plugins enable|disable <id>`: the user's switch for one plugin. Both edit
 * `[extensions] disabled` in config.toml (a running kernel applies the change like any config
 * edit); `enable` also lifts a quarantine (run/quarantine.json) and forgets the crashes blamed on
 * the plugin, and asks a running kernel to look again.
 */

function idOf(args: string[]): string {
  const id = args[0];
  if (!id) throw new UsageError("missing the plugin id");
  const problem = explainInvalidId("plugin id", id, { pattern: PLUGIN_ID_PATTERN });
  if (problem) throw new UsageError(problem);
  return id;
}

function setDisabled(configFile: string, id: string, action: "enable" | "disable"): boolean {
  const text = existsSync(configFile) ? readFileSync(configFile, "utf8") : "";
  const edited = editDisabled(text, configFile, id, action);
  if (edited === undefined) return false;
  writeFileAtomicSync(configFile, edited, { mode: 0o600 });
  return true;
}

export const pluginsEnableCommand: Command = {
  name: "plugins enable",
  args: "<id>",
  summary: "Let a plugin load again: remove it from [extensions] disabled and lift its quarantine",
  details: "A running kernel loads it at once. A plugin whose files change is let out of quarantine by itself.",
  async run({ args, env, cwd, out }) {
    const id = idOf(args);
    const paths = resolvePaths({ env, cwd });
    const changedConfig = setDisabled(paths.configFile, id, "enable");
    const state = readQuarantine(paths.runDir);
    const wasQuarantined = id in state.quarantined;
    const lifted = liftQuarantine(state, id);
    if (lifted) writeQuarantine(paths.runDir, state);
    const done = [
      ...(changedConfig ? [`removed from [extensions] disabled in ${paths.configFile}`] : []),
      ...(wasQuarantined ? ["quarantine lifted"] : lifted ? ["crash count cleared"] : []),
    ];
    if (done.length === 0) {
      out(`Plugin "${id}" is neither disabled nor quarantined; nothing to do.\n`);
      return 0;
    }
    // The config watcher sees config.toml; a lifted quarantine alone needs a word to the kernel.
    const running = await askRunningKernel(paths, "plugins.refresh").catch(() => undefined);
    out(`Plugin "${id}" enabled: ${done.join("; ")}.${running !== undefined ? " The running kernel loads it now." : ""}\n`);
    return 0;
  },
};

export const pluginsDisableCommand: Command = {
  name: "plugins disable",
  args: "<id>",
  summary: "Keep a plugin from loading: add it to [extensions] disabled (a running kernel unloads it)",
  async run({ args, env, cwd, out }) {
    const id = idOf(args);
    const paths = resolvePaths({ env, cwd });
    if (!setDisabled(paths.configFile, id, "disable")) {
      out(`Plugin "${id}" is already in [extensions] disabled.\n`);
      return 0;
    }
    out(`Plugin "${id}" disabled: added to [extensions] disabled in ${paths.configFile}.\n`);
    return 0;
  },
};
