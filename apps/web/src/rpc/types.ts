/*
 * What the gateway's methods answer (docs/gateway.md), as the page reads them. The contracts come
 * from @aleph/plugin-sdk as types only (erased from the bundle: no SDK code reaches the browser);
 * what is the gateway's own (its status, chat.send's result, its notifications) is written here.
 */
import type { AgentTurnEvent, ChannelStatus, ModelUsage, SessionInfo, SessionMessage as SdkSessionMessage } from "@aleph/plugin-sdk";


export type {
  AgentTurnEvent,
  ChannelState,
  ChannelStatus,
  ChatMessage,
  ChatReadResult,
  ChatSummary,
  ModelUsage,
  PendingApproval,
  PluginInfo,
  SessionInfo,
} from "@aleph/plugin-sdk";

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

export interface AgentInfo {
  id: string;
  name?: string;
  default: boolean;
}

export interface ToolCallRecord {
  id?: string;
  name: string;
  arguments?: unknown;
}

/** A stored session message, with the agent loop's meta the page reads (its tool calls). */
export interface SessionMessage extends Omit<SdkSessionMessage, "meta"> {
  meta?: { toolCalls?: ToolCallRecord[]; toolCallId?: string; [key: string]: unknown };
}

export interface SessionShowResult {
  session: SessionInfo;
  messages: SessionMessage[];
}

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
