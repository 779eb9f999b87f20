/* The connection to the gateway in a word, and a way to retry now while waiting to reconnect. */
import { useConnection, useClient } from "../hooks/client.js";
import { useNow } from "../hooks/use-now.js";

export function ConnectionBadge() {
  const client = useClient();
  const state = useConnection();
  const now = useNow(500);
  let text: string;
  let countdown = "";
  switch (state.status) {
    case "open":
      text = "connected";
      break;
    case "connecting":
      text = state.attempt === 0 ? "connecting…" : `reconnecting… (attempt ${state.attempt + 1})`;
      break;
    case "waiting": {
      const seconds = Math.max(0, Math.ceil((state.retryAt - now) / 1000));
      const why = state.lastClose.code === 1006 ? "" : ` (closed ${state.lastClose.code}${state.lastClose.reason ? `: ${state.lastClose.reason}` : ""})`;
      text = `disconnected${why}`;
      countdown = `; retrying in ${seconds} s`;
      break;
    }
    default:
      text = "offline";
  }
  return (
    <p class={`connection connection-${state.status}`} role="status" aria-live="polite">
      <span class="dot" aria-hidden="true" /> <span class="connection-text">{text}</span>
      {/* The seconds tick: shown, not announced (a screen reader would read every tick). */}
      {countdown && <span aria-hidden="true">{countdown}</span>}
      {countdown && <span class="sr-only">; retrying by itself</span>}
      {state.status === "waiting" && (
        <button type="button" class="link" onClick={() => client.retryNow()}>
          retry now
        </button>
      )}
    </p>
  );
}
