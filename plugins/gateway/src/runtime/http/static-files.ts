import { readFile, realpath, stat } from "node:fs/promises";
import { extname, join, sep } from "node:path";

/*
 * The control page's files (apps/web, built into the plugin's dist/web): `/` is index.html,
 * `/assets/<name>` its hashed files. Nothing else is reachable: a path is taken apart into
 * segments, each decoded once and refused if it is empty, `.`, `..` or holds a separator or NUL,
 * and the file it names must, after resolving symlinks, lie inside the assets directory.
 */

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".webp": "image/webp",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

export interface StaticFile {
  body: Buffer;
  type: string;
  /** Hashed asset (cache for a year) or index.html (revalidate every time). */
  cache: "immutable" | "no-cache";
}

/** Shown at / when the page was not built into dist/web (a development checkout). */
const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Aleph gateway</title></head>
<body><h1>Aleph gateway</h1><p>The control page was not built into this gateway (its dist/web is missing).
Build it with <code>pnpm --filter @aleph/web build</code>, then rebuild the gateway plugin
(<code>cd plugins/gateway &amp;&amp; npx tsup</code>). The WebSocket endpoint works regardless.</p></body></html>
`;

export class StaticFiles {
  readonly #dir: string;
  #realDir: Promise<string | undefined> | undefined;
  /** The page's files do not change while a generation of the plugin runs (a rebuild reloads it). */
  readonly #cache = new Map<string, StaticFile | undefined>();

  constructor(dir: string) {
    this.#dir = dir;
  }

  /** The file for a request path, or undefined (404). */
  async get(pathname: string): Promise<StaticFile | undefined> {
    if (this.#cache.has(pathname)) return this.#cache.get(pathname);
    const file = await this.#load(pathname);
    if (this.#cache.size < 512) this.#cache.set(pathname, file);
    return file;
  }

  async #load(pathname: string): Promise<StaticFile | undefined> {
    if (pathname === "/" || pathname === "/index.html") {
      const index = await this.#read(["index.html"]);
      return { body: index ?? Buffer.from(NOT_BUILT), type: TYPES[".html"]!, cache: "no-cache" };
    }
    if (!pathname.startsWith("/assets/")) return undefined;
    const segments = safeSegments(pathname.slice(1));
    if (!segments) return undefined;
    const body = await this.#read(segments);
    if (!body) return undefined;
    return { body, type: TYPES[extname(segments[segments.length - 1]!).toLowerCase()] ?? "application/octet-stream", cache: "immutable" };
  }

  async #read(segments: string[]): Promise<Buffer | undefined> {
    const root = await (this.#realDir ??= realpath(this.#dir).catch(() => undefined));
    if (!root) return undefined;
    try {
      const real = await realpath(join(root, ...segments));
      if (!real.startsWith(root + sep)) return undefined;
      if (!(await stat(real)).isFile()) return undefined;
      return await readFile(real);
    } catch {
      return undefined;
    }
  }
}

/** The decoded segments of a relative path, or undefined when one of them could step outside. */
export function safeSegments(path: string): string[] | undefined {
  const out: string[] = [];
  for (const raw of path.split("/")) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    if (segment === "" || segment === "." || segment === ".." || /[/\\\0]/.test(segment)) return undefined;
    out.push(segment);
  }
  return out.length > 0 ? out : undefined;
}
