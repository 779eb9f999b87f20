/* One session's messages (sessions.show), newest page first; "Earlier messages" pages back by seq. */
import { useEffect, useState } from "preact/hooks";
import { ErrorNotice } from "../components/error-notice.js";
import { ViewHead } from "../components/view-head.js";
import { SessionMessages } from "../components/session-messages.js";
import { useClient } from "../hooks/client.js";
import { useCall } from "../hooks/use-call.js";
import { routeHref } from "../hooks/use-route.js";
import type { SessionMessage, SessionShowResult } from "../rpc/types.js";

const PAGE = 200;

export function SessionView({ sessionKey }: { sessionKey: string }) {
  const client = useClient();
  const latest = useCall<SessionShowResult>("sessions.show", { sessionKey, limit: PAGE });
  const [earlier, setEarlier] = useState<SessionMessage[]>([]);
  const [olderError, setOlderError] = useState<unknown>(undefined);
  const [loadingOlder, setLoadingOlder] = useState(false);
  // A page shorter than asked for means the start of the session was reached.
  const [reachedStart, setReachedStart] = useState(false);
  useEffect(() => {
    setEarlier([]);
    setReachedStart((latest.data?.messages.length ?? 0) < PAGE);
  }, [sessionKey, latest.data]);

  const messages = [...earlier, ...(latest.data?.messages ?? [])];
  const first = messages[0]?.seq;
  const canPage = !reachedStart && first !== undefined && first > 1;

  async function loadOlder() {
    if (first === undefined) return;
    setLoadingOlder(true);
    try {
      const page = await client.request<SessionShowResult>("sessions.show", { sessionKey, limit: PAGE, before: first });
      setEarlier((current) => [...page.messages, ...current]);
      if (page.messages.length < PAGE) setReachedStart(true);
      setOlderError(undefined);
    } catch (error) {
      setOlderError(error);
    } finally {
      setLoadingOlder(false);
    }
  }

  const session = latest.data?.session;
  return (
    <section aria-labelledby="session-title">
      <p>
        <a href={routeHref("sessions", undefined, { agent: session?.agentId })}>← Sessions</a>
      </p>
      <ViewHead
        id="session-title"
        title={
          <>
            Session <code>{sessionKey}</code>
          </>
        }
        onRefresh={latest.reload}
        busy={latest.loading}
      />
      {latest.error !== undefined && <ErrorNotice error={latest.error} />}
      {session && (
        <p class="muted">
          agent {session.agentId} · {session.messageCount} messages · {session.tokenCount} tokens · id {session.id} ·{" "}
          <a href={routeHref("chat", undefined, { agent: session.agentId, session: session.key })}>chat in this session</a>
        </p>
      )}
      {canPage && (
        <button type="button" onClick={loadOlder} disabled={loadingOlder}>
          Earlier messages
        </button>
      )}
      {olderError !== undefined && <ErrorNotice error={olderError} />}
      {latest.data && <SessionMessages messages={messages} />}
      {!latest.data && latest.error === undefined && <p class="muted">Loading…</p>}
    </section>
  );
}
