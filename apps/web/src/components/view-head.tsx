/* What every view starts with: its title (the section's label) and a Refresh button, and — for a view showing one call — that call's error or "Loading…". */
import type { ComponentChildren } from "preact";
import type { CallState } from "../hooks/use-call.js";
import { ErrorNotice } from "./error-notice.js";

export function ViewHead({ id, title, onRefresh, busy, children }: { id: string; title: ComponentChildren; onRefresh: () => void; busy?: boolean; children?: ComponentChildren }) {
  return (
    <div class="view-head">
      <h2 id={id}>{title}</h2>
      {children}
      <button type="button" onClick={onRefresh} disabled={busy}>
        Refresh
      </button>
    </div>
  );
}

/** The call's failure, or "Loading…" until its first answer. */
export function CallStatus({ call }: { call: Pick<CallState<unknown>, "data" | "error"> }) {
  if (call.error !== undefined) return <ErrorNotice error={call.error} />;
  if (call.data === undefined) return <p class="muted">Loading…</p>;
  return null;
}
