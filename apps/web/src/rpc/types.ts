/*
 * What the gateway's methods answer (docs/gateway.md), as the page reads them. Written out here
 * rather than imported from @aleph/plugin-sdk: the page is a browser bundle and must not pull the
 * SDK's Node code in; these are the fields it shows, nothing more.
 */

export type ChannelState = "starting" | "running" | "reconnecting" | "stopped" | "failed";

export interface ChannelStatus {
  name: string;
  plugin: string;
  state: ChannelState;
  /** The liveness signal: the last successful receive (ms since the epoch). */
  lastReceiveAt?: number;
  lastSendAt?: number;
  error?: string;
  botName?: string;
}

export interface KernelStatus {
  version: string;
  pid: number;
  startedAt: number | string;
  uptimeMs: number;
  root: string;
  plugins: { active: number; failed: number; disabled: number; overridden: number; total: number };
  channels: ChannelStatus[];
  connections: number;
}

export interface PluginError {
  code: string;
  message: string;
  fix?: string;
  file?: string;
  line?: number;
}

export interface PluginInfo {
  id: string;
  version: string;
  kind: string;
  source: string;
  path: string;
  status: string;
  error?: PluginError;
  running?: boolean;
  disabledBy?: string;
  runningInstead?: { source: string; path: string };
  overriddenBy?: { source: string; path: string };
}

export interface AgentInfo {
  id: string;
  name?: string;
  default: boolean;
}

export interface SessionInfo {
  key: string;
  id: string;
  kind: string;
  agentId: string;
  channel: string | null;
  createdAt: number;
  updatedAt: number;
  messageCount: number;
  tokenCount: number;
  lastSeq: number;
  archivedAt: number | null;
}

export interface ToolCallRecord {
  id?: string;
  name: string;
  arguments?: unknown;
}

export interface SessionMessage {
  seq: number;
  ts: number;
  role: string;
  content: unknown;
  name?: string;
  tokens: number;
  meta?: { toolCalls?: ToolCallRecord[]; toolCallId?: string; [key: string]: unknown };
  summaryOf?: { from: number; to: number; count: number };
}

export interface SessionShowResult {
  session: SessionInfo;
  messages: SessionMessage[];
}

export interface ChatSummary {
  chatId: string;
  lastSeq: number;
  count: number;
}

export interface ChatMessage {
  seq: number;
  chatId: string;
  from: string;
  ts: string;
  content: unknown;
  key?: string;
}

export interface ChatReadResult {
  messages: ChatMessage[];
  lastSeq: number;
  more: boolean;
  torn: { seq?: number; line?: number; reason?: string }[];
}

export interface ModelUsage {
  inputTokens: number;
  outputTokens: number;
}

/** An approval a tool waits for (the SDK's PendingApproval, the fields shown). */
export interface PendingApproval {
  id: string;
  tool: string;
  summary: string;
  expiresAt?: string;
}

/** One step of an agent turn (docs/agent.md): the `event` of a `chat.event` notification. */
export type AgentTurnEvent =
  | { type: "turn.started"; turnId: string; agentId: string; sessionKey: string }
  | { type: "text"; text: string }
  | { type: "thinking"; text: string }
  | { type: "tool.call"; id: string; name: string; arguments: unknown }
  | { type: "tool.result"; id: string; name: string; ok: boolean; content: string }
  | { type: "failover"; from: string; to: string; reason: string }
  | { type: "approval.requested"; approval: PendingApproval }
  | { type: "approval.resolved"; id: string; approved: boolean; by: string; reason?: string }
  | { type: "turn.completed"; turnId: string; text: string; usage?: ModelUsage; ms: number; iterations?: number; provider: string; model: string }
  | { type: "turn.failed"; turnId: string; code: string; message: string; fix?: string };

/** The params of a `chat.event` notification. */
export interface ChatEventParams {
  idempotencyKey: string;
  sessionKey: string;
  seq: number;
  event: AgentTurnEvent;
}

/** What `chat.send` answers when its turn ends (a failed turn is a result, not an RPC error). */
export type ChatSendResult =
  | { idempotencyKey: string; sessionKey: string; turnId?: string; ok: true; text: string; usage?: ModelUsage; provider?: string; model?: string; ms?: number; replayed?: boolean }
  | { idempotencyKey: string; sessionKey: string; turnId?: string; ok: false; code: string; message: string; fix?: string; replayed?: boolean };

/** The params of an `event` notification (a bus event an events.subscribe matched). */
export interface BusEventParams {
  subscription: string;
  event: string;
  payload: unknown;
}
