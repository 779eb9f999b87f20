import { agentRef, definePlugin, identityRef, providersRef, sessionsRef, toolsRef, workspaceRef, type BeforeCompactionHook, type ContextContributor } from "@aleph/plugin-sdk";
import { createAgentService, type Registered } from "./agent-service.js";
import { agentConfigSchema, type AgentConfig } from "./config.js";
import { completeInterruptedTurns } from "./recovery.js";
import { TurnRunner } from "./turn-runner.js";

export default definePlugin({
  // The [agent] section of config.toml.
  config: agentConfigSchema,

  setup(ctx) {
    let config: AgentConfig = ctx.config;
    // Every turn reads the config afresh: a change applies from the next turn, in place.
    ctx.onConfigChange((next) => {
      config = next;
    });
    const contributors = new Set<Registered<ContextContributor>>();
    const hooks = new Set<BeforeCompactionHook>();
    const runner = new TurnRunner({
      root: ctx.paths.root,
      config: () => config,
      // Looked up per turn: a provider plugin that reloads is picked up without reloading the agent.
      sessions: () => ctx.services.get(sessionsRef),
      providers: () => ctx.services.get(providersRef),
      tools: () => ctx.services.getOptional(toolsRef),
      context: () => ({
        ...optional("identity", ctx.services.getOptional(identityRef)),
        ...optional("workspace", ctx.services.getOptional(workspaceRef)),
        contributors,
      }),
      hooks,
      events: ctx.events,
      log: ctx.log,
      redact: (text) => ctx.redact(text),
      stopping: () => ctx.signal.aborted,
    });
    ctx.services.provide(agentRef, createAgentService(runner, contributors, hooks, ctx.signal));
    // Turns a crash cut short are completed by the long-running kernel once everything is up —
    // never by a kernel started for one command, which would end before the answer is kept.
    if (ctx.kernelRole === "service") {
      ctx.events.once("kernel.ready", () => {
        void completeInterruptedTurns(ctx.paths.root, runner, ctx.log, ctx.signal);
      });
    }
  },

  // Imported when run: the kernel loading this plugin never pays for the terminal code.
  commands: { talk: async (cmd) => (await import("./commands/talk.js")).talkCommand(cmd) },
});

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
