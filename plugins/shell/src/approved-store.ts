import { readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { AlephError, errorMessage, mkdirPrivate, writeFileAtomic } from "@aleph/plugin-sdk";

/*
 * The commands a person answered `always` for, per agent: `<root>/data/shell/approved.json`,
 * private (0600) and replaced atomically. A remembered command matches only itself, character for
 * character — approving `rm build/x` approves nothing else. The file is read on each check, so
 * deleting a line (or the file) takes effect at the next call.
 *
 *   { "version": 1, "agents": { "main": ["npm test", "git push origin main"] } }
 */

/** Commands remembered per agent at most; the oldest go first. */
export const MAX_REMEMBERED_PER_AGENT = 500;

interface ApprovedFile {
  version: 1;
  agents: Record<string, string[]>;
}

export class ApprovedCommands {
  readonly #file: string;
  readonly #warn: (message: string) => void;
  /** Writes one after another: two `always` answers at once must both be kept. */
  #writing: Promise<void> = Promise.resolve();

  constructor(file: string, warn: (message: string) => void = () => {}) {
    this.#file = file;
    this.#warn = warn;
  }

  get file(): string {
    return this.#file;
  }

  /** True when `command` was remembered for `agentId`, exactly. */
  async has(agentId: string, command: string): Promise<boolean> {
    const data = await this.#read();
    return data.agents[agentId]?.includes(command) ?? false;
  }

  /** Remembers `command` for `agentId` (moved to the newest place when it is there already). */
  remember(agentId: string, command: string): Promise<void> {
    const next = this.#writing.then(async () => {
      const data = await this.#read();
      const list = (data.agents[agentId] ?? []).filter((c) => c !== command);
      list.push(command);
      data.agents[agentId] = list.slice(-MAX_REMEMBERED_PER_AGENT);
      await mkdirPrivate(dirname(this.#file));
      await writeFileAtomic(this.#file, JSON.stringify(data, null, 2) + "\n");
    });
    this.#writing = next.catch(() => undefined);
    return next.catch((error: unknown) => {
      throw new AlephError("ALEPH_E_TOOL", `could not remember the approved command in ${this.#file}: ${errorMessage(error)}`, { file: this.#file, cause: error });
    });
  }

  // A missing file remembers nothing. A damaged one remembers nothing either (so the person is
  // asked, never skipped) and is replaced at the next `always`; it is reported each time it is read.
  async #read(): Promise<ApprovedFile> {
    let text: string;
    try {
      text = await readFile(this.#file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return empty();
      throw error;
    }
    try {
      const parsed = JSON.parse(text) as unknown;
      if (isApprovedFile(parsed)) return parsed;
    } catch {
      // reported below
    }
    this.#warn(`${this.#file} is not a list of approved commands ({"version":1,"agents":{…}}); nothing is remembered until an \`always\` answer rewrites it`);
    return empty();
  }
}

const empty = (): ApprovedFile => ({ version: 1, agents: {} });

function isApprovedFile(value: unknown): value is ApprovedFile {
  if (typeof value !== "object" || value === null) return false;
  const { version, agents } = value as Record<string, unknown>;
  if (version !== 1 || typeof agents !== "object" || agents === null || Array.isArray(agents)) return false;
  return Object.values(agents).every((list) => Array.isArray(list) && list.every((c) => typeof c === "string"));
}
