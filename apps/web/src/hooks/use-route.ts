/*
 * Hash routes: `#/<view>/<argument>?<query>` (e.g. `#/sessions/agent%3Amain%3Amain`). The hash
 * keeps every view linkable and reloadable without the gateway knowing any route but `/`.
 */
import { useEffect, useState } from "preact/hooks";

export interface Route {
  view: string;
  /** The decoded part after the view, if any. */
  arg?: string;
  query: URLSearchParams;
}

export function parseRoute(hash: string): Route {
  const text = hash.replace(/^#\/?/, "");
  const [path = "", search = ""] = text.split("?", 2);
  const slash = path.indexOf("/");
  const view = (slash < 0 ? path : path.slice(0, slash)) || "status";
  let arg: string | undefined;
  if (slash >= 0 && slash < path.length - 1) {
    try {
      arg = decodeURIComponent(path.slice(slash + 1));
    } catch {
      arg = path.slice(slash + 1); // a hand-typed % that is not an escape: take it as written
    }
  }
  return { view, arg, query: new URLSearchParams(search) };
}

/** The link to a view (and an argument, and query parameters). */
export function routeHref(view: string, arg?: string, query?: Record<string, string | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined && value !== "") search.set(key, value);
  const tail = search.toString();
  return `#/${view}${arg !== undefined ? `/${encodeURIComponent(arg)}` : ""}${tail ? `?${tail}` : ""}`;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    addEventListener("hashchange", onChange);
    return () => removeEventListener("hashchange", onChange);
  }, []);
  return route;
}
