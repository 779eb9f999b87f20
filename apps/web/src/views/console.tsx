/*
 * The logged-in page: the header, the current view, and the chat panel (always mounted, hidden
 * when another view is shown, so a streaming reply survives a look elsewhere).
 */
import { useLayoutEffect } from "preact/hooks";
import { Header } from "../components/header.js";
import { ViewBoundary } from "../components/view-boundary.js";
import type { EventLog } from "../events/event-log.js";
import { useConnection } from "../hooks/client.js";
import { useRoute } from "../hooks/use-route.js";
import { markInteractive } from "../interactive.js";
import { AgentsView } from "./agents.js";
import { ChatPanel } from "./chat-panel.js";
import { ChatStreamView } from "./chat-stream.js";
import { ChatsView } from "./chats.js";
import { EventsView } from "./events.js";
import { PluginsView } from "./plugins.js";
import { SessionView } from "./session.js";
import { SessionsView } from "./sessions.js";
import { StatusView } from "./status.js";

function CurrentView({ view, arg, query, log }: { view: string; arg?: string; query: URLSearchParams; log: EventLog }) {
  switch (view) {
    case "status":
      return <StatusView />;
    case "plugins":
      return <PluginsView />;
    case "agents":
      return <AgentsView />;
    case "sessions":
      return arg ? <SessionView sessionKey={arg} /> : <SessionsView agent={query.get("agent") ?? undefined} />;
    case "chats":
      return arg ? <ChatStreamView chatId={arg} /> : <ChatsView />;
    case "events":
      return <EventsView log={log} />;
    case "chat":
      return null;
    default:
      return (
        <section>
          <h2>Not found</h2>
          <p>
            There is no view “{view}”. <a href="#/status">Status</a>
          </p>
        </section>
      );
  }
}

/** `onLogout` absent: the gateway wants no login (require_auth = false), so there is no Log out. */
export function Console({ log, onLogout }: { log: EventLog; onLogout?: () => void }) {
  const route = useRoute();
  const connection = useConnection();
  useLayoutEffect(() => {
    if (connection.status === "open") markInteractive();
  }, [connection.status]);

  return (
    <>
      <Header current={route.view} onLogout={onLogout} />
      <main id="main">
        <ViewBoundary key={`${route.view}/${route.arg ?? ""}`}>
          <CurrentView view={route.view} arg={route.arg} query={route.query} log={log} />
        </ViewBoundary>
        <div hidden={route.view !== "chat"}>
          <ViewBoundary>
            <ChatPanel agentFromRoute={route.view === "chat" ? (route.query.get("agent") ?? undefined) : undefined} sessionFromRoute={route.view === "chat" ? (route.query.get("session") ?? undefined) : undefined} />
          </ViewBoundary>
        </div>
      </main>
    </>
  );
}
