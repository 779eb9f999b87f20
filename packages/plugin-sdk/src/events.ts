import type { PendingApproval } from "./approvals.js";
import type { ChannelChatKind, ChannelPeer, ChannelStatus } from "./channels.js";
import type { ChatMessage } from "./chat.js";
import type { PluginKind, PluginSource } from "./manifest.js";
import type { SessionKeyKind } from "./session-key.js";
import type { SessionMessage } from "./sessions.js";
import type { SkillSource } from "./skills.js";

/** A skill copy on disk, as the skill.* events name it. */
export interface SkillFileEvent {
  name: string;
  source: SkillSource;
  file: string;
  agentId?: string;
}

/** Why a plugin was unloaded. */
/** Why a plugin was unloaded; `failed`: it raised an unhandled rejection or uncaught exception while running. */
export type UnloadReason = "removed" | "reload" | "disabled" | "dependency" | "shutdown" | "failed";

/** A problem found while validating a config file. */
export interface ConfigIssue {
  file: string;
  /** Dotted key path, e.g. "gateway.port". */
  path: string;
  message: string;
  line?: number;
}

/**
 * The typed event map. Plugins add their own events by declaration merging:
 * `declare module "@aleph/plugin-sdk" { interface AlephEvents { "greeter.greeted": { name: string } } }`.
 */
export interface AlephEvents {
  "kernel.ready": { plugins: number; ms: number };
  "kernel.stopping": { signal?: string };
  /** `aleph start`'s supervisor restarted the kernel: why the previous one ended, and the plugin blamed (null: none). */
  "kernel.restarted": { reason: string; blamed: string | null; detail: string; restarts: number };
  "plugin.loaded": { id: string; version: string; kind: PluginKind; source: PluginSource; path: string; generation: number };
  "plugin.unloaded": { id: string; version: string; reason: UnloadReason };
  "plugin.failed": { id: string; code: string; message: string; file?: string };
  /**
   * A stronger copy of a plugin (user, system or project path) failed before setup — manifest,
   * api, entry — so the next copy of that id runs instead (`running`). Reported each time a
   * copy starts failing that way, or fails differently.
   */
  "plugin.shadow_failed": {
    id: string;
    failed: { source: PluginSource; path: string; code: string; message: string };
    running: { source: PluginSource; path: string };
  };
  /**
   * A plugin's handler failed at run time (an event handler threw, a WASM call trapped or timed
   * out); the emitter never sees the error. `code` is set for WASM failures (ALEPH_E_WASM_TRAP, …).
   */
  "plugin.error": { id: string; event: string; message: string; code?: string };
  "config.changed": { sections: string[] };
  "config.invalid": { file: string; errors: ConfigIssue[] };
  // Capability events (ARCHITECTURE §5): emitted by the bundled plugins that own them.
  "session.created": { key: string; kind: SessionKeyKind; agentId: string; channel: string | null };
  /** One event per stored message (a batch append emits one per message, in seq order). */
  "session.message.appended": { key: string; agentId: string; message: SessionMessage };
  "session.compacted": { key: string; replaced: number; summarySeq: number; tokenCount: number };
  "session.archived": { key: string; archivedAt: number };
  "session.deleted": { key: string; count: number };
  "chat.message.posted": { chatId: string; message: ChatMessage };
  /** The agent loop (bundled plugin `agent`): a turn began, a tool ran, a turn ended. */
  "agent.turn.started": { turnId: string; agentId: string; sessionKey: string };
  "agent.tool.called": { agentId: string; sessionKey: string; name: string; ok: boolean; ms: number };
  "agent.turn.completed": { turnId: string; agentId: string; sessionKey: string; usage: { inputTokens: number; outputTokens: number }; ms: number; iterations: number };
  "agent.turn.failed": { turnId: string; agentId: string; sessionKey: string; code: string; message: string };
  /** Approvals (service `approvals`, bundled plugin `tools`): a tool asks a person before it acts; the answer, or why it was denied. */
  "agent.approval.requested": PendingApproval;
  "agent.approval.resolved": { id: string; tool: string; agentId: string; sessionKey: string; approved: boolean; always: boolean; by: string; reason?: string };
  /** Memory (bundled plugin `memory`): a fact was stored, or forgotten — asked, or evicted past [memory] max_facts. */
  "memory.fact.added": { id: string; agentId: string; scope: string };
  "memory.fact.forgotten": { id: string; agentId: string; reason: "forgotten" | "evicted" | "expired" };
  /** Skills (bundled plugin `skills`): a SKILL.md appeared, changed or went, seen while the kernel runs. `agentId`: source `agent` only. */
  "skill.added": SkillFileEvent;
  "skill.changed": SkillFileEvent;
  "skill.removed": SkillFileEvent;
  /**
   * Channels (bundled plugin `channels`): a message arrived on a channel and is the agent's to answer
   * (after allow-lists, pairing and the group trigger); `chatId` is the platform's, `sessionKey` and
   * `conversation` (the chat source of truth's id) where it is kept.
   */
  "message.received": { channel: string; chatId: string; kind: ChannelChatKind; peer: ChannelPeer; text: string; messageId: string; agentId: string; sessionKey: string; conversation: string };
  /** A reply (or any message) went out on a channel; `messageIds`: the platform's, one per part. */
  "message.sent": { channel: string; chatId: string; messageIds: string[]; replyTo?: string; sessionKey?: string };
  /** A channel's state changed (starting, running, reconnecting, stopped, failed). */
  "channel.status": ChannelStatus;
  /** An unknown sender was given a pairing code (the code itself is not in the event: it is a credential). */
  "channel.pairing.requested": { channel: string; peer: ChannelPeer; expiresAt: number };
  "channel.paired": { channel: string; peer: ChannelPeer };
  /** Cron (bundled plugin `cron`): a job's run began and ended; `scheduledAt` is the planned time (ms). */
  "cron.run.started": { job: string; runId: string; agentId: string; sessionKey: string; scheduledAt: number; manual: boolean };
  "cron.run.finished": { job: string; runId: string; ok: boolean; ms: number; error?: string };
  /** Runs that were due while the kernel was down, reported at start and not replayed. */
  "cron.run.missed": { job: string; count: number; first: number; last: number };
}

export type AlephEventName = keyof AlephEvents & string;
export type EventPayload<K extends string> = K extends keyof AlephEvents ? AlephEvents[K] : unknown;
export type EventHandler<K extends string> = (payload: EventPayload<K>) => void | Promise<void>;
