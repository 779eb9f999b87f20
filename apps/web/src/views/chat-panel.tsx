/*
 * Talk to an agent: pick the agent and the session, type, send. Each message goes as chat.send
 * with a fresh idempotency key; the reply streams in as chat.event notifications (assembled in seq
 * order by chat/reply.ts) and chat.send's answer closes it. Stop sends chat.abort.
 *
 * The panel stays mounted while other views are shown (the app hides it), so a reply keeps
 * streaming when the reader looks elsewhere.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { newIdempotencyKey } from "../chat/idempotency-key.js";
import { applyCallError, applyChatEvent, applyResult, emptyReply, type ReplyState } from "../chat/reply.js";
import { ErrorNotice } from "../components/error-notice.js";
import { Reply } from "../components/reply.js";
import { SessionMessages } from "../components/session-messages.js";
import { useClient, useConnection } from "../hooks/client.js";
import { useCall } from "../hooks/use-call.js";
import { CONNECTION_LOST, describeError, RpcError } from "../rpc/errors.js";
import type { AgentInfo, ChatEventParams, ChatSendResult, SessionInfo, SessionShowResult } from "../rpc/types.js";

interface Exchange {
  key: string;
  sessionKey: string;
  message: string;
  reply: ReplyState;
}

const HISTORY = 50;

const mainSession = (agentId: string) => `agent:${agentId}:main`;

/** A chat.send that got no answer: closing a connection stops its turns (docs/gateway.md), so say what to do. */
function sendFailure(error: unknown): { code?: string; message: string; fix?: string } {
  const described = describeError(error);
  if (error instanceof RpcError && error.code === CONNECTION_LOST) {
    return { ...described, fix: "the gateway stops a connection's turns when it closes: send the message again once the page is connected" };
  }
  return described;
}

function isNotFound(error: unknown): boolean {
  return error instanceof RpcError && /NOT_FOUND/.test(error.alephCode ?? "");
}

export function ChatPanel({ agentFromRoute, sessionFromRoute }: { agentFromRoute?: string; sessionFromRoute?: string }) {
  const client = useClient();
  const open = useConnection().status === "open";
  const agents = useCall<AgentInfo[]>("agents.list");
  const defaultAgent = agents.data?.find((a) => a.default)?.id ?? agents.data?.[0]?.id ?? "main";
  const [chosenAgent, setChosenAgent] = useState<string | undefined>(agentFromRoute);
  const agent = chosenAgent ?? defaultAgent;
  const [chosenSession, setChosenSession] = useState<string | undefined>(sessionFromRoute);
  const sessionKey = chosenSession ?? mainSession(agent);
  const sessions = useCall<SessionInfo[]>("sessions.list", { agentId: agent, limit: 100 });
  const history = useCall<SessionShowResult>("sessions.show", { sessionKey, limit: HISTORY });
  const [exchanges, setExchanges] = useState<Exchange[]>([]);
  const [draft, setDraft] = useState("");
  const composer = useRef<HTMLFormElement>(null);

  // A link from another view (an agent's "chat", a session) picks the agent and session here.
  // A plain #/chat keeps the current choice.
  useEffect(() => {
    if (agentFromRoute === undefined && sessionFromRoute === undefined) return;
    if (agentFromRoute) setChosenAgent(agentFromRoute);
    setChosenSession(sessionFromRoute);
  }, [agentFromRoute, sessionFromRoute]);

  // The reloaded history holds the finished exchanges: only a running one stays on its own.
  useEffect(() => setExchanges((current) => current.filter((e) => e.reply.status === "running")), [history.data]);

  useEffect(
    () =>
      client.onNotification("chat.event", (params) => {
        const p = params as ChatEventParams;
        if (!p || typeof p.idempotencyKey !== "string" || typeof p.seq !== "number" || !p.event) return;
        setExchanges((current) => current.map((e) => (e.key === p.idempotencyKey ? { ...e, reply: applyChatEvent(e.reply, p.seq, p.event) } : e)));
      }),
    [client],
  );

  const shown = exchanges.filter((e) => e.sessionKey === sessionKey);
  const running = exchanges.find((e) => e.reply.status === "running");
  const lastReplyLength = shown.length > 0 ? shown[shown.length - 1]!.reply.parts.length : 0;
  // Keep the newest reply and the composer under it in sight as the reply grows.
  useEffect(() => composer.current?.scrollIntoView?.({ block: "nearest" }), [shown.length, lastReplyLength]);

  function settle(key: string, update: (reply: ReplyState) => ReplyState) {
    setExchanges((current) => current.map((e) => (e.key === key ? { ...e, reply: update(e.reply) } : e)));
  }

  function send(event: Event) {
    event.preventDefault();
    const message = draft.trim();
    if (message === "" || running || !open) return;
    const key = newIdempotencyKey();
    setExchanges((current) => [...current, { key, sessionKey, message, reply: emptyReply() }]);
    setDraft("");
    client.request<ChatSendResult>("chat.send", { sessionKey, agentId: agent, message, idempotencyKey: key }).then(
      (result) => settle(key, (reply) => applyResult(reply, result)),
      (error: unknown) => settle(key, (reply) => applyCallError(reply, sendFailure(error))),
    );
  }

  function stop() {
    if (!running) return;
    client.request("chat.abort", { idempotencyKey: running.key }).catch((error: unknown) => settle(running.key, (reply) => applyCallError(reply, describeError(error))));
  }

  const sessionOptions = [mainSession(agent), ...(sessions.data ?? []).map((s) => s.key).filter((k) => k !== mainSession(agent))];
  if (!sessionOptions.includes(sessionKey)) sessionOptions.push(sessionKey);

  return (
    <section aria-labelledby="chat-panel-title" class="chat-panel">
      <div class="view-head">
        <h2 id="chat-panel-title">Chat</h2>
        <label class="inline">
          Agent{" "}
          <select
            name="agent"
            value={agent}
            onChange={(e) => {
              setChosenAgent((e.target as HTMLSelectElement).value);
              setChosenSession(undefined);
            }}
          >
            {(agents.data ?? [{ id: agent, default: true }]).map((a) => (
              <option key={a.id} value={a.id}>
                {a.name ? `${a.id} (${a.name})` : a.id}
              </option>
            ))}
          </select>
        </label>
        <label class="inline">
          Session{" "}
          <select name="session" value={sessionKey} onChange={(e) => setChosenSession((e.target as HTMLSelectElement).value)}>
            {sessionOptions.map((key) => (
              <option key={key} value={key}>
                {key}
              </option>
            ))}
          </select>
        </label>
      </div>

      <div class="transcript" aria-label="Conversation">
        {history.error !== undefined && !isNotFound(history.error) && <ErrorNotice error={history.error} title="History" />}
        {history.data && history.data.messages.length > 0 && <SessionMessages messages={history.data.messages} />}
        {(isNotFound(history.error) || (history.data && history.data.messages.length === 0)) && shown.length === 0 && <p class="muted">No messages in this session yet.</p>}
        {shown.length > 0 && (
          <ol class="messages live">
            {shown.map((exchange) => (
              <li key={exchange.key} class="exchange" data-key={exchange.key}>
                <div class="msg role-user">
                  <p class="msg-head">
                    <span class="role">user</span>
                  </p>
                  <p class="text">{exchange.message}</p>
                </div>
                <div class="msg role-assistant" aria-live="polite">
                  <p class="msg-head">
                    <span class="role">assistant</span>
                  </p>
                  <Reply reply={exchange.reply} />
                </div>
              </li>
            ))}
          </ol>
        )}
      </div>

      <form class="composer" ref={composer} onSubmit={send}>
        <label for="chat-message">Message</label>
        <textarea
          id="chat-message"
          rows={3}
          value={draft}
          placeholder={open ? "Type a message; Enter sends, Shift+Enter starts a new line" : "Not connected"}
          onInput={(e) => setDraft((e.target as HTMLTextAreaElement).value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && !e.shiftKey && !e.isComposing) send(e);
          }}
        />
        <div class="composer-actions">
          <button type="submit" disabled={!open || !!running || draft.trim() === ""}>
            Send
          </button>
          {running && (
            <button type="button" class="danger" onClick={stop}>
              Stop
            </button>
          )}
        </div>
      </form>
    </section>
  );
}
