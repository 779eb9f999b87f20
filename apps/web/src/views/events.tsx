/*
 * Live events, newest first: a filter on the name or the payload, and a pause that freezes the
 * list while new events keep being collected (resuming shows them). Repaints are batched to one
 * per animation frame so a burst of events costs one render.
 */
import { useEffect, useMemo, useState } from "preact/hooks";
import { ErrorNotice } from "../components/error-notice.js";
import type { EventLog, LoggedEvent } from "../events/event-log.js";
import { compactJson, formatClock } from "../format.js";

function matches(item: LoggedEvent, filter: string): boolean {
  if (filter === "") return true;
  const needle = filter.toLowerCase();
  if (item.event.toLowerCase().includes(needle)) return true;
  return compactJson(item.payload, 10_000).toLowerCase().includes(needle);
}

export function EventsView({ log }: { log: EventLog }) {
  const [live, setLive] = useState(log.items);
  const [paused, setPaused] = useState<readonly LoggedEvent[] | null>(null);
  const [filter, setFilter] = useState("");

  useEffect(() => {
    let frame = 0;
    const off = log.onChange(() => {
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        setLive(log.items);
      });
    });
    setLive(log.items);
    return () => {
      off();
      if (frame) cancelAnimationFrame(frame);
    };
  }, [log]);

  const shown = paused ?? live;
  const visible = useMemo(() => shown.filter((item) => matches(item, filter.trim())), [shown, filter]);
  const waiting = paused && live[0] && paused[0] ? live[0].n - paused[0].n : paused ? live.length : 0;

  return (
    <section aria-labelledby="events-title">
      <div class="view-head">
        <h2 id="events-title">Live events</h2>
        <label class="inline">
          Filter{" "}
          <input type="search" value={filter} placeholder="name or text, e.g. plugin." onInput={(e) => setFilter((e.target as HTMLInputElement).value)} />
        </label>
        <button type="button" aria-pressed={paused !== null} onClick={() => setPaused(paused ? null : live)}>
          {paused ? `Resume${waiting > 0 ? ` (${waiting} new)` : ""}` : "Pause"}
        </button>
        <button type="button" onClick={() => log.clear()}>
          Clear
        </button>
      </div>
      {log.subscribeError !== undefined && <ErrorNotice error={log.subscribeError} title="events.subscribe failed" />}
      <p class="muted">
        {visible.length} shown, the newest {log.capacity} kept{filter ? `, filtered by “${filter.trim()}”` : ""}.
      </p>
      {visible.length === 0 ? (
        <p class="muted">No events yet.</p>
      ) : (
        <ol class="events">
          {visible.map((item) => (
            <li key={item.n}>
              <p class="msg-head">
                <code class="event-name">{item.event}</code> <span class="muted">{formatClock(item.at)}</span>
              </p>
              <p class="payload">
                <code>{compactJson(item.payload, 400)}</code>
              </p>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
