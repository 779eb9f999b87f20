import { readdirSync, readFileSync, statSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { errorMessage, writeFileAtomic, type Logger, type MemoryService } from "@aleph/plugin-sdk";
import { chunkNote, NOTES_DIR } from "./daily-notes.js";

/*
 * Daily notes (memory/YYYY-MM-DD.md in an agent's workspace) indexed as facts: each chunk a fact of
 * scope `notes`, tagged with its file (`note:2026-12-07.md`) and citing its lines. A changed file
 * is indexed again: chunks still there are duplicates (nothing written), new ones are added, and
 * the facts of chunks that are gone are forgotten. What was indexed is remembered by size and
 * mtime (memory/notes-index.json), so a start reads only the notes that changed.
 */

const NOTE_FILE = /^\d{4}-\d{2}-\d{2}\.md$/;
export const NOTES_SCOPE = "notes";

export interface NotesIndexerOptions {
  /** memory/notes-index.json */
  stateFile: string;
  memory: () => MemoryService;
  log: Logger;
}

type IndexState = Record<string, { size: number; mtimeMs: number }>;

const noteTag = (file: string) => `note:${basename(file)}`;

export class NotesIndexer {
  readonly #o: NotesIndexerOptions;
  #state: IndexState;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: NotesIndexerOptions) {
    this.#o = options;
    this.#state = readState(options.stateFile);
  }

  /** The note files of a workspace whose size or mtime differ from what was indexed (or that are gone). */
  changed(workspaceDir: string): string[] {
    const dir = join(workspaceDir, NOTES_DIR);
    let names: string[] = [];
    try {
      names = readdirSync(dir).filter((n) => NOTE_FILE.test(n));
    } catch {
      // no notes yet
    }
    const present = new Set(names.map((n) => join(dir, n)));
    const out = [...present].filter((file) => {
      const seen = this.#state[file];
      try {
        const s = statSync(file);
        return !seen || seen.size !== s.size || seen.mtimeMs !== s.mtimeMs;
      } catch {
        return true;
      }
    });
    for (const file of Object.keys(this.#state)) if (dirname(file) === dir && !present.has(file)) out.push(file);
    return out.sort();
  }

  /** Indexes these note files (absolute paths in an agent's memory/ directory) for `agentId`, one batch after another. */
  index(agentId: string, files: string[]): Promise<void> {
    const run = this.#queue.then(async () => {
      for (const file of files.filter((f) => NOTE_FILE.test(basename(f)))) {
        try {
          await this.#indexFile(agentId, file);
        } catch (error) {
          this.#o.log.warn("could not index a daily note; it is tried again when it changes or at the next start", { file, error: errorMessage(error) });
        }
      }
      await mkdir(dirname(this.#o.stateFile), { recursive: true, mode: 0o700 });
      await writeFileAtomic(this.#o.stateFile, `${JSON.stringify(this.#state)}\n`);
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #indexFile(agentId: string, file: string): Promise<void> {
    const memory = this.#o.memory();
    let text: string | undefined;
    let stat: { size: number; mtimeMs: number } | undefined;
    try {
      stat = statSync(file);
      text = readFileSync(file, "utf8");
    } catch {
      // deleted: its facts go
    }
    const day = Date.parse(`${basename(file, ".md")}T12:00:00Z`);
    const chunks = text === undefined ? [] : chunkNote(text);
    const tag = noteTag(file);
    const results = await memory.addMany(
      chunks.map((c) => ({
        agentId,
        text: c.text,
        scope: NOTES_SCOPE,
        category: "note",
        tags: ["daily-note", tag],
        source: `${tag}#L${c.startLine}-L${c.endLine}`,
        ...(Number.isFinite(day) ? { createdAt: day } : {}),
      })),
    );
    const keep = new Set(results.map((r) => r.id));
    for (const fact of await memory.list({ agentId, scope: NOTES_SCOPE, tags: [tag], limit: 100_000 })) {
      // A fact another file also says (merged as a near duplicate) stays while that file does.
      const elsewhere = fact.sources.some((s) => !s.startsWith(`${tag}#`));
      if (!keep.has(fact.id) && !elsewhere) await memory.forget({ id: fact.id });
    }
    if (stat) this.#state[file] = { size: stat.size, mtimeMs: stat.mtimeMs };
    else delete this.#state[file];
  }
}

function readState(file: string): IndexState {
  try {
    const parsed = JSON.parse(readFileSync(file, "utf8")) as IndexState;
    return parsed && typeof parsed === "object" ? parsed : {};
  } catch {
    return {};
  }
}
