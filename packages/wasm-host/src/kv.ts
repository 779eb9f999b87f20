import { readFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { errorMessage, writeFileAtomic, type Logger } from "@aleph/plugin-sdk";

/**
 * The persistent key-value store behind aleph_kv_get / aleph_kv_set: one JSON object in
 * `<data dir>/kv.json`. Reads come from memory; every change schedules an atomic rewrite of the
 * file, coalesced while one is in flight, so a burst of sets costs one or two writes.
 * `flush()` (on unload) waits for the file to hold everything set so far.
 */
export class KvStore {
  readonly file: string;
  #data: Record<string, unknown>;
  #sizes = new Map<string, number>();
  #total = 0;
  #dirty = false;
  #writing: Promise<void> | undefined;
  #log: Logger;
  #maxBytes: number;

  constructor(dir: string, log: Logger, maxBytes: number) {
    this.file = join(dir, "kv.json");
    this.#log = log;
    this.#maxBytes = maxBytes;
    this.#data = this.#load();
    for (const [key, value] of Object.entries(this.#data)) this.#account(key, value);
  }

  #load(): Record<string, unknown> {
    let text: string;
    try {
      text = readFileSync(this.file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") this.#log.error("cannot read the key-value store", { file: this.file, error: errorMessage(error) });
      return Object.create(null) as Record<string, unknown>;
    }
    try {
      const parsed = JSON.parse(text) as unknown;
      if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("not a JSON object");
      return Object.assign(Object.create(null) as Record<string, unknown>, parsed);
    } catch (error) {
      // Keep the unreadable file for inspection instead of overwriting it with an empty store.
      const aside = `${this.file}.corrupt-${Date.now()}`;
      try {
        renameSync(this.file, aside);
      } catch {
        // the next write replaces it
      }
      this.#log.error("key-value store was unreadable; starting empty", { file: this.file, movedTo: aside, error: errorMessage(error) });
      return Object.create(null) as Record<string, unknown>;
    }
  }

  #account(key: string, value: unknown): void {
    const size = key.length + (value === undefined ? 0 : JSON.stringify(value).length);
    this.#total += size - (this.#sizes.get(key) ?? 0);
    if (value === undefined) this.#sizes.delete(key);
    else this.#sizes.set(key, size);
  }

  get(key: string): unknown {
    return Object.hasOwn(this.#data, key) ? this.#data[key] : undefined;
  }

  /** Sets (or with null/undefined deletes) a key. Throws when the store would grow past its cap. */
  set(key: string, value: unknown): void {
    if (value === null || value === undefined) {
      if (!Object.hasOwn(this.#data, key)) return;
      delete this.#data[key];
      this.#account(key, undefined);
    } else {
      const text = JSON.stringify(value); // throws for values JSON cannot hold
      const grows = key.length + text.length - (this.#sizes.get(key) ?? 0);
      if (this.#total + grows > this.#maxBytes) {
        throw new Error(`the key-value store would exceed ${this.#maxBytes} bytes`);
      }
      this.#data[key] = JSON.parse(text) as unknown; // a copy: the store never aliases caller objects
      this.#account(key, this.#data[key]);
    }
    this.#dirty = true;
    this.#writing ??= this.#writeLoop();
  }

  async #writeLoop(): Promise<void> {
    try {
      while (this.#dirty) {
        this.#dirty = false;
        try {
          await writeFileAtomic(this.file, JSON.stringify(this.#data));
        } catch (error) {
          this.#log.error("cannot write the key-value store", { file: this.file, error: errorMessage(error) });
        }
      }
    } finally {
      this.#writing = undefined;
    }
  }

  /** Resolves when everything set so far is on disk. */
  async flush(): Promise<void> {
    while (this.#writing) await this.#writing;
  }
}
