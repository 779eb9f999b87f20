/* The chat streams of the chat source of truth (chats.list): each chat's id, size and last seq. */
import { CallStatus, ViewHead } from "../components/view-head.js";
import { useCall } from "../hooks/use-call.js";
import { routeHref } from "../hooks/use-route.js";
import type { ChatSummary } from "../rpc/types.js";

export function ChatsView() {
  const { data, error, loading, reload } = useCall<ChatSummary[]>("chats.list");
  return (
    <section aria-labelledby="chats-title">
      <ViewHead id="chats-title" title="Chat streams" onRefresh={reload} busy={loading} />
      <CallStatus call={{ data, error }} />
      {data && data.length === 0 && <p class="muted">No chats yet.</p>}
      {data && data.length > 0 && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Chat</th>
                <th scope="col">Messages</th>
                <th scope="col">Last seq</th>
              </tr>
            </thead>
            <tbody>
              {data.map((chat) => (
                <tr key={chat.chatId}>
                  <th scope="row">
                    <a href={routeHref("chats", chat.chatId)}>{chat.chatId}</a>
                  </th>
                  <td>{chat.count}</td>
                  <td>{chat.lastSeq}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
