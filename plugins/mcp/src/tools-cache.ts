import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { errorMessage, mkdirPrivate, writeFileAtomic, type Logger } from "@aleph/plugin-sdk";
import type { ServerConfig } from "./config.js";
import type { McpToolSpec } from "./runtime/tool-specs.js";

/*
 * `<root>/data/mcp/tools-cache.json`: each server's last tool list, so the next start registers the
 * tools at once (a call then waits for the server to be connected) instead of leaving them out until
 * every server has started. An entry counts only for the same server: it is keyed by a hash of what
 * starts it (command, args, cwd or url), never of env or headers, and holds no secret.
 *
 * Written in the background after the kernel is ready, debounced, atomically; a cache that is
 * missing, damaged or from another version is ignored (the tools then come when the server connects).
 */

const CACHE_VERSION = 1;
const WRITE_DEBOUNCE_MS = 250;

export interface CachedServer {
  key: string;
  tools: McpToolSpec[];
}

interface CacheFile {
  version: number;
  servers: Record<string, CachedServer>;
}

/** Identifies what a server entry starts: a changed command or URL does not use the old list. */
export function serverKey(server: ServerConfig): string {
  const what = JSON.stringify([server.command ?? null, server.args ?? [], server.cwd ?? null, server.url ?? null]);
  return createHash("sha256").update(what).digest("hex").slice(0, 16);
}

export async function readToolsCache(file: string, log: Logger): Promise<Map<string, CachedServer>> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    return new Map(); // no cache yet
  }
  try {
    const parsed = JSON.parse(text) as CacheFile;
    if (parsed.version !== CACHE_VERSION || typeof parsed.servers !== "object" || parsed.servers === null) return new Map();
    return new Map(Object.entries(parsed.servers).filter(([, entry]) => typeof entry?.key === "string" && Array.isArray(entry.tools)));
  } catch (error) {
    log.warn("the MCP tools cache is damaged and was ignored; it is rewritten when the servers connect", { file, reason: errorMessage(error) });
    return new Map();
  }
}

/** Keeps the cache's content in memory and writes it, debounced, once writing is allowed. */
export class ToolsCacheWriter {
  readonly #servers: Map<string, CachedServer>;
  #allowed = false;
  #dirty = false;
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly file: string,
    private readonly log: Logger,
    initial: Map<string, CachedServer> = new Map(),
  ) {
    this.#servers = new Map(initial);
  }

  set(server: string, entry: CachedServer): void {
    const before = this.#servers.get(server);
    if (before && before.key === entry.key && JSON.stringify(before.tools) === JSON.stringify(entry.tools)) return;
    this.#servers.set(server, entry);
    this.#changed();
  }

  delete(server: string): void {
    if (this.#servers.delete(server)) this.#changed();
  }

  /** From now on changes are written (the kernel is ready: nothing on the start path waits for the disk). */
  allow(): void {
    this.#allowed = true;
    if (this.#dirty) this.#schedule();
  }

  /** Writes a pending change now (on unload). */
  async flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#allowed && this.#dirty) await this.#write();
    await this.#writing;
  }

  #changed(): void {
    this.#dirty = true;
    if (this.#allowed) this.#schedule();
  }

  #schedule(): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#write();
    }, WRITE_DEBOUNCE_MS);
    this.#timer.unref();
  }

  #write(): Promise<void> {
    this.#dirty = false;
    const content: CacheFile = { version: CACHE_VERSION, servers: Object.fromEntries([...this.#servers].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) };
    const text = `${JSON.stringify(content, null, 1)}\n`;
    this.#writing = this.#writing
      .then(async () => {
        await mkdirPrivate(dirname(this.file));
        await writeFileAtomic(this.file, text, { durable: false });
      })
      .catch((error: unknown) => this.log.warn("the MCP tools cache could not be written", { file: this.file, reason: errorMessage(error) }));
    return this.#writing;
  }
}
