/*
 * A session's stored messages, in order: the role, the content, an assistant's tool calls
 * (meta.toolCalls) on one line each, a tool's result under the tool's name, and a compaction
 * summary marked as standing for the messages it replaced.
 */
import { formatTime } from "../format.js";
import type { SessionMessage } from "../rpc/types.js";
import { Content } from "./content.js";
import { ToolCallLine } from "./tool-call.js";

function Message({ message }: { message: SessionMessage }) {
  const toolCalls = Array.isArray(message.meta?.toolCalls) ? message.meta.toolCalls : [];
  const hasContent = !(message.content === "" || message.content === null || message.content === undefined) || toolCalls.length === 0;
  return (
    <li class={`msg role-${message.role}`} data-seq={message.seq}>
      <p class="msg-head">
        <span class="role">{message.role === "tool" && message.name ? `tool ${message.name}` : message.role}</span>
        <span class="muted">
          #{message.seq} · {formatTime(message.ts)}
        </span>
      </p>
      {message.summaryOf && (
        <p class="muted">
          Summary of messages {message.summaryOf.from}–{message.summaryOf.to} ({message.summaryOf.count})
        </p>
      )}
      {hasContent && <Content content={message.content} />}
      {toolCalls.map((call, i) => (
        <ToolCallLine key={call.id ?? i} name={call.name} args={call.arguments} />
      ))}
    </li>
  );
}

export function SessionMessages({ messages }: { messages: SessionMessage[] }) {
  if (messages.length === 0) return <p class="muted">No messages.</p>;
  return (
    <ol class="messages">
      {messages.map((message) => (
        <Message key={message.seq} message={message} />
      ))}
    </ol>
  );
}
