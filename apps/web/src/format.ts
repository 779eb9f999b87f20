/* How times, durations and JSON read on the page. */

/** `42 s`, `3 min 5 s`, `2 h 14 min`, `3 d 4 h`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "—";
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** `12 s ago`; `never` when there is no time. */
export function formatAgo(at: number | undefined, now: number): string {
  if (at === undefined || !Number.isFinite(at)) return "never";
  return now - at < 1000 ? "just now" : `${formatDuration(now - at)} ago`;
}

/** A time in the reader's locale. */
export function formatTime(at: number | string | undefined): string {
  if (at === undefined) return "—";
  const date = new Date(at);
  return Number.isNaN(date.getTime()) ? String(at) : date.toLocaleString();
}

/** A time of day in the reader's locale (for events, which are all recent). */
export function formatClock(at: number): string {
  return new Date(at).toLocaleTimeString();
}

/** JSON on one line, cut to `max` characters. */
export function compactJson(value: unknown, max = 120): string {
  let text: string;
  try {
    text = typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** JSON indented for a <pre>. */
export function prettyJson(value: unknown): string {
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}
