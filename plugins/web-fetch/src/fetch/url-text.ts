/*
 * A URL as logs and error messages name it: scheme, host and path, never the query (which may hold
 * a token: an API key, an OAuth code in a redirect's Location) nor credentials or a fragment. "?…"
 * says there was a query. Very long URLs (data:) are shortened.
 */
const MAX_CHARS = 300;

export function urlForLog(url: URL): string {
  const bare = new URL(url.href);
  bare.username = "";
  bare.password = "";
  bare.search = "";
  bare.hash = "";
  const text = bare.href.length > MAX_CHARS ? `${bare.href.slice(0, MAX_CHARS)}…` : bare.href;
  return `${text}${url.search ? "?…" : ""}`;
}
