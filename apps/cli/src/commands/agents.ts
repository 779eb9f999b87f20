import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { validateId, writeFileAtomicSync, type AgentDeclaration, type BootstrapContextInfo } from "@aleph/plugin-sdk";
import { resolvePaths, type AlephPaths } from "@aleph/kernel";
import { appendAgent, declaredAgents, removeAgent } from "../agents-config.js";
import { audited } from "../audited.js";
import { UsageError, type Command } from "../command.js";
import { json, table } from "../output.js";
import { callService } from "../service-call.js";

const AGENT_ID = { maxLength: 64 };

/** The one agent id a command takes, validated (a usage error when there is not exactly one). */
function oneAgentId(args: string[]): string {
  const [id, ...extra] = args;
  if (!id || extra.length > 0) throw new UsageError("expected one agent id");
  return validateId("agent id", id, AGENT_ID);
}

function configText(paths: AlephPaths): string {
  return existsSync(paths.configFile) ? readFileSync(paths.configFile, "utf8") : "";
}

export const agentsListCommand: Command = {
  name: "agents list",
  summary: "List the agents declared in config.toml ([[agents]]) with their workspaces",
  options: { json: { type: "boolean", description: "Print JSON" } },
  async run({ options, env, cwd, out }) {
    const paths = resolvePaths({ env, cwd });
    const agents = await callService<AgentDeclaration[]>(paths, env, cwd, { service: "workspace", method: "agents" });
    if (options.json) out(json(agents));
    else out(table([["ID", "PRESET", "WORKSPACE"], ...agents.map((a) => [a.id, a.preset, a.workspaceDir])]));
    return 0;
  },
};

export const agentsAddCommand: Command = {
  name: "agents add",
  args: "<id>",
  summary: "Declare an agent in config.toml and seed its workspace (only missing files are written)",
  details: "Appends an [[agents]] table (declaring `main` too when config.toml declares no agent yet) and creates\nagents/<id>/workspace/ from the preset's templates plus agents/<id>/{sessions,state,prompts,context}/.",
  options: { preset: { type: "string", value: "default|openboa", description: "The workspace preset (default: default)" } },
  async run({ args, options, env, cwd, out }) {
    const id = oneAgentId(args);
    const preset = options.preset === undefined ? undefined : String(options.preset);
    if (preset !== undefined && preset !== "default" && preset !== "openboa") throw new UsageError(`--preset takes default or openboa, not "${preset}"`);
    const paths = resolvePaths({ env, cwd });
    return audited(paths.root, "agents.add", id, async () => {
      const text = configText(paths);
      const declared = declaredAgents(text, paths.configFile);
      const existed = existsSync(join(paths.root, "agents", id));
      if ((declared ?? ["main"]).includes(id)) out(`Agent "${id}" is already declared; seeding what is missing.\n`);
      else writeFileAtomicSync(paths.configFile, appendAgent(text, paths.configFile, id, preset));
      const seeded = await callService<{ workspaceDir: string; created: string[] }>(paths, env, cwd, { service: "workspace", method: "seed", args: [id], reloadConfig: true });
      // A kernel started for this call seeds declared agents as it starts: judge by what existed before.
      out(existed ? `Agent "${id}": its workspace ${seeded.workspaceDir} was there; only missing files were added\n` : `Agent "${id}": created its workspace ${seeded.workspaceDir}\n`);
      return 0;
    });
  },
};

export const agentsRemoveCommand: Command = {
  name: "agents remove",
  args: "<id>",
  summary: "Remove an agent from config.toml and move its tree to agents/.archive/ (--purge deletes it)",
  options: { purge: { type: "boolean", description: "Delete the agent's tree instead of archiving it" } },
  async run({ args, options, env, cwd, out }) {
    const id = oneAgentId(args);
    const paths = resolvePaths({ env, cwd });
    return audited(paths.root, options.purge ? "agents.purge" : "agents.remove", id, async () => {
      const text = configText(paths);
      const removed = removeAgent(text, id);
      if (removed === undefined) throw new Error(`agent "${id}" is not declared in ${paths.configFile} (see \`aleph agents list\`)`);
      // The tree goes first (the plugin still knows the agent), then the declaration.
      const result = await callService<{ archivedTo?: string; removed?: string }>(paths, env, cwd, { service: "workspace", method: "remove", args: [id, { purge: Boolean(options.purge) }] });
      writeFileAtomicSync(paths.configFile, removed);
      out(result.archivedTo ? `Agent "${id}" removed; its tree is archived at ${result.archivedTo}\n` : `Agent "${id}" removed and its tree deleted\n`);
      return 0;
    });
  },
};

export const agentsContextCommand: Command = {
  name: "agents context",
  args: "<id>",
  summary: "Show what would be injected into the agent's system prompt: files, status, sizes",
  options: { json: { type: "boolean", description: "Print JSON (with each file's content)" } },
  async run({ args, options, env, cwd, out }) {
    const id = oneAgentId(args);
    const paths = resolvePaths({ env, cwd });
    const context = await callService<BootstrapContextInfo>(paths, env, cwd, { service: "workspace", method: "bootstrap", args: [id] });
    if (options.json) {
      out(json(context));
      return 0;
    }
    out(`Agent "${id}" (${context.preset}) · ${context.workspaceDir}\n`);
    out(table([["FILE", "STATUS", "CHARS", "OF", ""], ...context.files.map((f) => [f.name, f.status, String(f.chars), String(f.originalChars), f.required ? "required" : ""])]));
    const t = context.totals;
    out(`${t.chars} of ${context.limits.totalChars} characters (per file at most ${context.limits.perFileChars}); ${t.loaded} loaded, ${t.truncated} truncated, ${t.empty} empty, ${t.missing} missing\n`);
    if (context.missingRequired.length > 0) out(`missing required: ${context.missingRequired.join(", ")} (run \`aleph agents add ${id}\` to seed them)\n`);
    return 0;
  },
};
