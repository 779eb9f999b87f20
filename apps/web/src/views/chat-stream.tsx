/*
 * One chat's messages (chats.read). The stream is read forward by seq, so the page first learns
 * the last seq, then reads the newest page; "Earlier messages" reads the page before, "Refresh"
 * what came after the last one shown.
 */
import { useEffect, useState } from "preact/hooks";
import { Content } from "../components/content.js";
import { ErrorNotice } from "../components/error-notice.js";
import { ViewHead } from "../components/view-head.js";
import { formatTime } from "../format.js";
import { useClient, useConnection } from "../hooks/client.js";
import { routeHref } from "../hooks/use-route.js";
import type { ChatMessage, ChatReadResult } from "../rpc/types.js";

const PAGE = 100;

export function ChatStreamView({ chatId }: { chatId: string }) {
  const client = useClient();
  const open = useConnection().status === "open";
  const [messages, setMessages] = useState<ChatMessage[] | undefined>(undefined);
  const [torn, setTorn] = useState<ChatReadResult["torn"]>([]);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);

  async function run(step: () => Promise<void>) {
    setBusy(true);
    try {
      await step();
      setError(undefined);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  const loadNewest = () =>
    run(async () => {
      const head = await client.request<ChatReadResult>("chats.read", { chatId, limit: 1 });
      const page = await client.request<ChatReadResult>("chats.read", { chatId, after: Math.max(0, head.lastSeq - PAGE), limit: PAGE });
      setMessages(page.messages);
      setTorn(page.torn);
    });

  const loadEarlier = (firstSeq: number) =>
    run(async () => {
      const after = Math.max(0, firstSeq - 1 - PAGE);
      const page = await client.request<ChatReadResult>("chats.read", { chatId, after, limit: firstSeq - 1 - after });
      setMessages((current) => [...page.messages.filter((m) => m.seq < firstSeq), ...(current ?? [])]);
    });

  const loadLater = (lastSeq: number) =>
    run(async () => {
      const page = await client.request<ChatReadResult>("chats.read", { chatId, after: lastSeq, limit: PAGE });
      setMessages((current) => [...(current ?? []), ...page.messages]);
      setTorn(page.torn);
    });

  useEffect(() => {
    setMessages(undefined);
    if (open) void loadNewest();
  }, [chatId, open]);

  const first = messages?.[0]?.seq;
  const last = messages?.[messages.length - 1]?.seq;
  return (
    <section aria-labelledby="chat-title">
      <p>
        <a href={routeHref("chats")}>← Chat streams</a>
      </p>
      <ViewHead
        id="chat-title"
        title={
          <>
            Chat <code>{chatId}</code>
          </>
        }
        onRefresh={() => (last === undefined ? loadNewest() : loadLater(last))}
        busy={busy || !open}
      />
      {error !== undefined && <ErrorNotice error={error} />}
      {torn.length > 0 && <p class="notice">{torn.length} damaged line(s) in this chat's stream were skipped.</p>}
      {first !== undefined && first > 1 && (
        <button type="button" disabled={busy} onClick={() => loadEarlier(first)}>
          Earlier messages
        </button>
      )}
      {messages === undefined && error === undefined && <p class="muted">Loading…</p>}
      {messages && messages.length === 0 && <p class="muted">No messages.</p>}
      {messages && messages.length > 0 && (
        <ol class="messages">
          {messages.map((message) => (
            <li key={message.seq} class="msg" data-seq={message.seq}>
              <p class="msg-head">
                <span class="role">{message.from}</span>
                <span class="muted">
                  #{message.seq} · {formatTime(message.ts)}
                </span>
              </p>
              <Content content={message.content} />
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
