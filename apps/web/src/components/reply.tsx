/*
 * A streamed reply as it grows: text pieces joined, thinking folded away, tool calls on one line,
 * an approval the tool waits for (answered only through `aleph approvals`: turns from the gateway
 * are not interactive), failovers, and the end — ok with who answered, failed with code and fix,
 * or stopped.
 */
import type { ReplyPart, ReplyState } from "../chat/reply.js";
import { FailureNotice } from "./error-notice.js";
import { ToolCallLine } from "./tool-call.js";

function Part({ part }: { part: ReplyPart }) {
  switch (part.kind) {
    case "text":
      return <p class="text">{part.text}</p>;
    case "thinking":
      return (
        <details class="thinking">
          <summary>thinking</summary>
          <p class="text">{part.text}</p>
        </details>
      );
    case "tool":
      return <ToolCallLine name={part.name} args={part.arguments} result={part.result} />;
    case "approval":
      return (
        <p class={part.resolved ? (part.resolved.approved ? "approval ok" : "approval failed") : "approval waiting"}>
          {part.resolved
            ? `${part.tool}: ${part.resolved.approved ? "approved" : "denied"} by ${part.resolved.by}${part.resolved.reason ? ` (${part.resolved.reason})` : ""}`
            : `${part.tool}: ${part.summary} — waiting for approval (aleph approvals)`}
        </p>
      );
    case "failover":
      return (
        <p class="muted">
          {part.from} failed ({part.reason}); trying {part.to}
        </p>
      );
  }
}

function Ending({ reply }: { reply: ReplyState }) {
  if (reply.status === "running") return <p class="muted working">working…</p>;
  if (reply.status === "stopped") return <p class="notice">Stopped.</p>;
  if (reply.status === "failed" && reply.failure) return <FailureNotice title="The turn failed" code={reply.failure.code} message={reply.failure.message} fix={reply.failure.fix} />;
  const done = reply.done;
  if (!done) return null;
  const bits = [
    done.provider && done.model ? `${done.provider}/${done.model}` : done.model,
    done.ms !== undefined ? `${(done.ms / 1000).toFixed(1)} s` : undefined,
    done.usage ? `${done.usage.inputTokens} in / ${done.usage.outputTokens} out tokens` : undefined,
    done.replayed ? "replayed" : undefined,
  ].filter(Boolean);
  return <p class="muted reply-meta">{bits.join(" · ")}</p>;
}

export function Reply({ reply }: { reply: ReplyState }) {
  return (
    <div class={`reply reply-${reply.status}`} aria-busy={reply.status === "running"}>
      {reply.parts.map((part, i) => (
        <Part key={i} part={part} />
      ))}
      <Ending reply={reply} />
    </div>
  );
}
