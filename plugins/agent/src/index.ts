import { agentRef, definePlugin, importSibling, identityRef, providersRef, sessionsRef, toolsRef, workspaceRef, type BeforeCompactionHook, type ContextContributor } from "@aleph/plugin-sdk";
import { createAgentService, type Registered } from "./agent-service.js";
import { agentConfigSchema, type AgentConfig } from "./config.js";
import type { TurnRunner } from "./turn-runner.js";

/** dist/runtime.js (the turn runner, recovery), imported on first use: see runtime.ts. */
const runtimeModule = () => importSibling<typeof import("./runtime.js")>(import.meta.url, "runtime");

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
    // The loop's code (context, history, tools, compaction, artifacts) is imported on the first
    // turn: a kernel that never answers a message never loads it.
    let runner: Promise<TurnRunner> | undefined;
    const loadRunner = () => (runner ??= runtimeModule().then(({ TurnRunner }) => new TurnRunner({
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
    })));
    ctx.services.provide(agentRef, createAgentService(loadRunner, contributors, hooks, ctx.signal));
    // Turns a crash cut short are completed by the long-running kernel once everything is up —
    // never by a kernel started for one command, which would end before the answer is kept.
    if (ctx.kernelRole === "service") {
      ctx.events.once("kernel.ready", () => {
        // Not awaited: the bus waits for its handlers, and a recovered turn may take a while.
        void runtimeModule()
          .then(({ completeInterruptedTurns }) => completeInterruptedTurns(ctx.paths.root, loadRunner, ctx.log, ctx.signal))
          .catch((error: unknown) => ctx.log.error("completing interrupted turns failed", { error }));
      });
    }
  },

});

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
