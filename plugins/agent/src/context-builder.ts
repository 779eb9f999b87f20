import type { BootstrapFileInfo, ContextBlock, ContextContributor, IdentityService, Logger, SystemBlock, WorkspaceService } from "@aleph/plugin-sdk";

/*
 * The system prompt of a turn: the agent's resolved soul, its workspace's bootstrap files (within
 * the workspace plugin's limits), then the `stable` blocks of context contributors. It is built
 * from its sources each turn and comes out byte-identical while they are unchanged — no clock, no
 * counters — so providers' prompt caches hit; it is one cached block. `turn` blocks go with the
 * user's message instead (see attachTurnBlocks).
 */

export interface ContextSources {
  identity?: IdentityService;
  workspace?: WorkspaceService;
  contributors: Iterable<{ contributor: ContextContributor; plugin: string }>;
  log: Logger;
  /**
   * The session's frozen copies of the files the agent edits itself (FROZEN_FILES), taken at its
   * first turn: an edit mid-session (memory's curate tool) would otherwise change the system
   * prompt and miss the provider's prompt cache on every later turn. It shows from the next session.
   */
  frozen?: Map<string, BootstrapFileInfo>;
}

/** Curated memory files: edited by the agent during a session, frozen per session. */
export const FROZEN_FILES: ReadonlySet<string> = new Set(["MEMORY.md", "USER.md"]);

export interface BuiltContext {
  system: SystemBlock[];
  /** Text to put before the user's message this turn (empty when none). */
  turnText: string;
  /** What went in, with sizes: for the context log. */
  parts: { source: string; placement: "system" | "turn"; chars: number; truncated?: boolean }[];
}

const cut = (text: string, max: number): { text: string; truncated: boolean } =>
  text.length <= max ? { text, truncated: false } : { text: `${text.slice(0, Math.max(0, max - 40))}\n[… cut to ${max} characters]`, truncated: true };

export async function buildContext(agentId: string, sessionKey: string, message: string, sources: ContextSources, signal?: AbortSignal): Promise<BuiltContext> {
  const sections: string[] = [];
  const parts: BuiltContext["parts"] = [];
  if (sources.identity) {
    const soul = (await sources.identity.render({ agentId, sessionKey })).trim();
    if (soul) {
      sections.push(soul);
      parts.push({ source: "identity", placement: "system", chars: soul.length });
    }
  }
  if (sources.workspace) {
    try {
      const bootstrap = await sources.workspace.bootstrap(agentId);
      for (const current of bootstrap.files) {
        let file = current;
        if (sources.frozen && FROZEN_FILES.has(current.name)) {
          if (!sources.frozen.has(current.name)) sources.frozen.set(current.name, current);
          file = sources.frozen.get(current.name)!;
        }
        if (file.status !== "loaded" && file.status !== "truncated") continue;
        // The workspace's SOUL.md is a layer of the resolved soul above: once is enough.
        if (file.name === "SOUL.md" && parts.some((p) => p.source === "identity")) continue;
        sections.push(`## ${file.name}\n\n${file.content.trim()}`);
        parts.push({ source: `workspace:${file.name}`, placement: "system", chars: file.chars, ...(file.status === "truncated" ? { truncated: true } : {}) });
      }
    } catch (error) {
      // An agent without a declared workspace still answers; the log says why its files are missing.
      sources.log.debug("no bootstrap files for agent", { agentId, reason: (error as Error).message });
    }
  }
  const turn: string[] = [];
  for (const { contributor, plugin } of sources.contributors) {
    let blocks: ContextBlock[];
    try {
      blocks = await contributor.contribute({ agentId, sessionKey, message, ...(signal ? { signal } : {}) });
    } catch (error) {
      // A contributor's failure costs its context, never the turn.
      sources.log.warn("context contributor failed; its context is left out", { contributor: contributor.name, plugin, error });
      continue;
    }
    let budget = contributor.maxChars;
    for (const block of blocks) {
      if (budget <= 0) break;
      const { text, truncated } = cut(block.text, budget);
      budget -= text.length;
      (block.placement === "stable" ? sections : turn).push(text);
      parts.push({ source: `${plugin}:${contributor.name}`, placement: block.placement === "stable" ? "system" : "turn", chars: text.length, ...(truncated ? { truncated } : {}) });
    }
  }
  const system = sections.join("\n\n");
  return { system: system ? [{ text: system, cache: true }] : [], turnText: turn.join("\n\n"), parts };
}

/** The user's message with this turn's contributed context before it (never stored in the session). */
export function attachTurnBlocks(message: string, turnText: string): string {
  return turnText ? `<context>\n${turnText}\n</context>\n\n${message}` : message;
}
