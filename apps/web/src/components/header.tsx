/* The top bar: the name, the views, the connection and logout; wraps onto several lines when narrow. */
import { routeHref } from "../hooks/use-route.js";
import { ConnectionBadge } from "./connection-badge.js";

export const VIEWS: readonly { id: string; label: string }[] = [
  { id: "status", label: "Status" },
  { id: "plugins", label: "Plugins" },
  { id: "agents", label: "Agents" },
  { id: "sessions", label: "Sessions" },
  { id: "chats", label: "Chats" },
  { id: "events", label: "Events" },
  { id: "chat", label: "Chat" },
];

export function Header({ current, onLogout }: { current: string; onLogout?: () => void }) {
  return (
    <header class="top">
      <p class="brand">Aleph</p>
      <nav aria-label="Views">
        <ul>
          {VIEWS.map((view) => (
            <li key={view.id}>
              <a href={routeHref(view.id)} aria-current={view.id === current ? "page" : undefined}>
                {view.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <ConnectionBadge />
      {onLogout && (
        <button type="button" class="logout" onClick={onLogout}>
          Log out
        </button>
      )}
    </header>
  );
}
