import { isAbsolute, join, resolve } from "node:path";
import { readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { dirname } from "node:path";
import {
  audit,
  definePlugin,
  errorMessage,
  identityRef,
  mkdirPrivate,
  mkdirPrivateSync,
  toDisposable,
  workspaceRef,
  writeFileAtomic,
  type AgentDeclaration,
  type IdentityService,
  type WorkspaceService,
} from "@aleph/plugin-sdk";
import { AGENTS_DIR, agentPath, archiveAgent, bootstrapContext, checkAgentWorkspace, purgeAgent, seedAgent, validateAgentId } from "./agents/index.js";
import { agentsConfig, type AgentsConfig } from "./config.js";
import { createFileExclusive } from "./agents/create-exclusive.js";
import { renderSoul, resolveIdentity, SOUL_TEMPLATE } from "./identity/index.js";
import { SessionOverrides } from "./identity/session-overrides.js";
import { agentsAddCommand } from "./commands/agents-add.js";
import { agentsContextCommand } from "./commands/agents-context.js";
import { agentsListCommand } from "./commands/agents-list.js";
import { agentsRemoveCommand } from "./commands/agents-remove.js";
import { identityShowCommand } from "./commands/identity-show.js";
import { workspaceDoctor } from "./doctor.js";

export default definePlugin({
  config: agentsConfig,

  // `aleph agents …` and `aleph identity show`, declared in aleph_plugin.toml's [[commands]]; they
  // reach the agents only through the kernel handle (src/commands/).
  commands: {
    "agents list": agentsListCommand,
    "agents add": agentsAddCommand,
    "agents remove": agentsRemoveCommand,
    "agents context": agentsContextCommand,
    "identity show": identityShowCommand,
  },

  // `aleph doctor`'s agent checks ([plugin] doctor = true), run in a child process by doctor.
  doctor: workspaceDoctor,

  async setup(ctx) {
    const root = ctx.paths.root;
    let declared = declarations(ctx.config, root, ctx.paths.workspace);
    const find = (agentId: string): AgentDeclaration => {
      validateAgentId(agentId);
      const agent = declared.find((a) => a.id === agentId);
      if (!agent) throw new Error(`agent "${agentId}" is not declared in config.toml (declared: ${declared.map((a) => a.id).join(", ")}); add it with \`aleph agents add ${agentId}\``);
      return agent;
    };
    const audited = async <T>(action: string, target: string, work: () => Promise<T>): Promise<T> => {
      try {
        const result = await work();
        audit(root, { actor: ctx.id, action, target, ok: true });
        return result;
      } catch (error) {
        audit(root, { actor: ctx.id, action, target, ok: false, error: errorMessage(error) });
        throw error;
      }
    };
    const seedFiles = async (agent: AgentDeclaration) => {
      const result = await seedAgent({ root, agentId: agent.id, preset: agent.preset, workspaceDir: agent.workspaceDir, required: agent.required });
      return { workspaceDir: result.workspaceDir, created: result.created.map((e) => e.path) };
    };
    const auditSeed = (target: string, created: readonly string[]) => {
      if (created.length > 0) audit(root, { actor: ctx.id, action: "workspace.seed", target, ok: true });
    };
    const seed = async (agent: AgentDeclaration) => {
      const result = await seedFiles(agent);
      auditSeed(agent.id, result.created);
      return result;
    };

    // Nothing is seeded just because the plugin starts (a file the user deleted stays deleted, and
    // read-only commands change nothing): `aleph init` calls init(), `aleph agents add` seed(), and
    // an agent newly declared while running gets its tree.
    ctx.onConfigChange(async (config) => {
      const before = new Set(declared.map((a) => a.id));
      declared = declarations(config as AgentsConfig, root, ctx.paths.workspace);
      for (const agent of declared) if (!before.has(agent.id) && !existsSync(join(root, "agents", agent.id))) await seed(agent);
    });

    const workspace: WorkspaceService = {
      init: async () => {
        const created: string[] = [];
        // agents/ is this plugin's part of the state root's tree (the kernel's part is made by `aleph init` itself).
        const agentsDir = join(root, AGENTS_DIR);
        if ((await mkdirPrivate(agentsDir)) !== undefined) created.push(`${agentsDir}/`);
        const soul = join(root, "soul.md");
        // soul.md is written while the agents are seeded (each file's fsync is most of its cost);
        // the audit lines follow in a fixed order.
        const [soulCreated, ...seeded] = await Promise.all([createFileExclusive(soul, SOUL_TEMPLATE), ...declared.map((agent) => seedFiles(agent))]);
        if (soulCreated) created.push(soul);
        auditSeed("soul.md", soulCreated ? [soul] : []);
        declared.forEach((agent, i) => {
          auditSeed(agent.id, seeded[i]!.created);
          created.push(...seeded[i]!.created);
        });
        return { created };
      },
      agents: () => declared.map((a) => ({ ...a })),
      seed: (agentId) => seed(find(agentId)),
      bootstrap: (agentId) => {
        const agent = find(agentId);
        return bootstrapContext({ workspaceDir: agent.workspaceDir, preset: agent.preset, limits: agent.bootstrap, required: agent.required });
      },
      check: async (agentId) => {
        const agent = find(agentId);
        const problems = await checkAgentWorkspace({ root, agentId, preset: agent.preset, required: agent.required, workspaceDir: agent.workspaceDir });
        return problems.map((p) => ({ path: p.path, code: p.code, message: p.message, fix: p.fix }));
      },
      readFile: (agentId, path) => readFile(agentPath({ root, agentId }, path), "utf8"),
      writeFile: (agentId, path, content) =>
        audited("workspace.write", `${agentId}:${path}`, async () => {
          const target = agentPath({ root, agentId }, path);
          mkdirPrivateSync(dirname(target));
          await writeFileAtomic(target, content);
        }),
      remove: (agentId, options = {}) =>
        audited(options.purge ? "agents.purge" : "agents.archive", agentId, async () => {
          validateAgentId(agentId);
          if (options.purge) return { removed: (await purgeAgent({ root, agentId })).removed };
          return { archivedTo: (await archiveAgent({ root, agentId })).to };
        }),
    };
    ctx.services.provide(workspaceRef, workspace);

    const overrides = new SessionOverrides(join(ctx.paths.data, "session-overrides.json"), ctx.log);
    // An override lasts until cleared or its session is deleted (archiving keeps it: /new starts a
    // fresh session under the same key, which keeps the voice it was given).
    ctx.events.on("session.deleted", ({ key }) => overrides.set(key, null));
    const identityOptions = (query: { agentId: string; cwd?: string; sessionKey?: string }) => {
      const agent = find(query.agentId);
      const sessionOverride = query.sessionKey ? overrides.get(query.sessionKey) : undefined;
      return {
        root,
        agentId: agent.id,
        cwd: query.cwd ?? process.cwd(),
        workspaceDir: agent.workspaceDir,
        ...(sessionOverride !== undefined ? { sessionOverride, sessionKey: query.sessionKey } : {}),
      };
    };
    const identity: IdentityService = {
      resolve: (query) => resolveIdentity(identityOptions(query)),
      render: async (query) => renderSoul(await resolveIdentity(identityOptions(query))),
      setSessionOverride(sessionKey, soul) {
        overrides.set(sessionKey, soul);
        return toDisposable(() => {
          if (overrides.get(sessionKey) === soul) overrides.set(sessionKey, null);
        });
      },
    };
    ctx.services.provide(identityRef, identity);
  },
});

/** [[agents]] with paths resolved: `main` (the default agent) honours ALEPH_WORKSPACE. */
function declarations(config: AgentsConfig, root: string, defaultWorkspace: string): AgentDeclaration[] {
  return config.map((agent) => ({
    id: agent.id,
    preset: agent.preset,
    workspaceDir: agent.workspace
      ? isAbsolute(agent.workspace)
        ? agent.workspace
        : resolve(root, agent.workspace)
      : agent.id === "main"
        ? defaultWorkspace
        : join(root, "agents", agent.id, "workspace"),
    ...(agent.required ? { required: agent.required } : {}),
    bootstrap: { perFileChars: agent.bootstrap.per_file_chars, totalChars: agent.bootstrap.total_chars },
  }));
}
