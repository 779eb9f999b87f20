import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { AlephError, fsyncDirSync, writeFileAtomic, type Logger } from "@aleph/plugin-sdk";

/*
 * SwapManager: a sub-agent's in-memory context, parked on disk at `<root>/swap/<name>.json`.
 *
 * A swap file holds the context's exact JSON text and its SHA-256, so swap-in either returns
 * exactly what was swapped out or refuses (leaving the file for inspection). Files are written
 * atomically (temp, fsync, rename). Swap-in does not delete the file: until the next swap-out
 * replaces it, it is the last durable copy of the context, and a crash while the sub-agent is
 * active falls back to it rather than losing the sub-agent. Only `remove` deletes it.
 *
 * The name is the key, percent-encoded and lowercased (readable in `ls`, cut at 100 characters),
 * then a hash of the exact key: two keys never share a file, on case-insensitive file systems too.
 * The key itself is always inside the file.
 */

export const SWAP_FORMAT_VERSION = 1;

export interface SwappedContext {
  key: string;
  parentAgentId: string;
  name: string;
  /** The context's JSON text, as checked by the coordinator. */
  contextJson: string;
}

export interface SwapRecord {
  key: string;
  parentAgentId: string;
  name: string;
  swappedAt: number;
}

interface SwapFile extends SwapRecord {
  version: number;
  sha256: string;
  context: unknown;
}

const READABLE_PART = 100;

function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

export class SwapManager {
  readonly dir: string;
  readonly #log: Pick<Logger, "warn"> | undefined;

  constructor(dir: string, log?: Pick<Logger, "warn">) {
    this.dir = dir;
    this.#log = log;
  }

  fileOf(key: string): string {
    const readable = encodeURIComponent(key).toLowerCase().slice(0, READABLE_PART);
    return join(this.dir, `${readable}-${sha256(key).slice(0, 16)}.json`);
  }

  async swapOut(entry: SwappedContext, now: number): Promise<{ file: string; bytes: number }> {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    // The context goes in as raw JSON text so that the bytes hashed are the bytes stored.
    const head = JSON.stringify({
      version: SWAP_FORMAT_VERSION,
      key: entry.key,
      parentAgentId: entry.parentAgentId,
      name: entry.name,
      swappedAt: now,
      sha256: sha256(entry.contextJson),
    });
    const text = `${head.slice(0, -1)},"context":${entry.contextJson}}\n`;
    const file = this.fileOf(entry.key);
    await writeFileAtomic(file, text, { mode: 0o600 });
    return { file, bytes: Buffer.byteLength(text) };
  }

  #read(file: string): SwapFile {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      throw new AlephError("ALEPH_E_NOT_FOUND", `swap file ${file} is missing: the context swapped out there is gone`, {
        file,
        fix: "restore the file from a backup, or remove the sub-agent to start it afresh",
      });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new AlephError("ALEPH_E_JSON", `swap file ${file} is not valid JSON: ${(error as Error).message}`, { file, fix: "restore it from a backup, or remove it to drop that context" });
    }
    const record = parsed as Partial<SwapFile> | null;
    if (typeof record !== "object" || record === null || record.version !== SWAP_FORMAT_VERSION || typeof record.key !== "string" || typeof record.sha256 !== "string") {
      throw new AlephError("ALEPH_E_JSON", `swap file ${file} is not an Aleph swap file (version ${JSON.stringify(record?.version)})`, { file, fix: "remove it, or upgrade Aleph if a newer one wrote it" });
    }
    return record as SwapFile;
  }

  /** Reads a swapped context back, exactly, or fails; the file stays (see above). */
  swapIn(key: string): SwappedContext {
    const file = this.fileOf(key);
    const parsed = this.#read(file);
    const contextJson = JSON.stringify(parsed.context);
    if (parsed.key !== key || sha256(contextJson) !== parsed.sha256) {
      throw new AlephError("ALEPH_E_JSON", `swap file ${file} does not match its checksum (or names another key); it is left in place`, {
        file,
        fix: "restore it from a backup, or remove the sub-agent to drop that context",
      });
    }
    return { key, parentAgentId: parsed.parentAgentId, name: parsed.name, contextJson };
  }

  remove(key: string): void {
    rmSync(this.fileOf(key), { force: true });
    try {
      fsyncDirSync(this.dir);
    } catch {
      // the directory may not exist; nothing to make durable then
    }
  }

  /** Every swapped-out context on disk (unreadable files are reported and skipped, never deleted). */
  list(): SwapRecord[] {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
    const records: SwapRecord[] = [];
    for (const name of names.sort()) {
      if (!name.endsWith(".json")) continue;
      const file = join(this.dir, name);
      try {
        const { key, parentAgentId, name: subagent, swappedAt } = this.#read(file);
        if (this.fileOf(key) !== file) throw new Error(`it names key ${key}, which belongs in ${this.fileOf(key)}`);
        records.push({ key, parentAgentId, name: subagent, swappedAt });
      } catch (error) {
        this.#log?.warn("skipping an unreadable swap file", { file, error: (error as Error).message });
      }
    }
    return records;
  }
}
