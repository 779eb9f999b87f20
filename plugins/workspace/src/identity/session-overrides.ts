import { readFileSync, renameSync } from "node:fs";
import { dirname } from "node:path";
import { errorMessage, mkdirPrivateSync, writeFileAtomicSync, type Logger } from "@aleph/plugin-sdk";

/*
 * Sessions' soul overrides (identity.setSessionOverride, the gateway's `identity.override`): a
 * session keeps its override until it is cleared or the session is deleted — across kernel
 * restarts and plugin reloads, so it is kept in a file (data/workspace/session-overrides.json,
 * {"version":1,"overrides":{"<sessionKey>":"<soul>"}}), rewritten atomically on each change.
 * Changes are rare (a person sets one) and the file is small, hence synchronous writes: the map and
 * the file never disagree, even when the kernel stops right after a change.
 */

interface OverridesFile {
  version: 1;
  overrides: Record<string, string>;
}

export class SessionOverrides {
  readonly #file: string;
  readonly #log: Logger;
  readonly #map = new Map<string, string>();

  constructor(file: string, log: Logger) {
    this.#file = file;
    this.#log = log;
    this.#load();
  }

  get(sessionKey: string): string | undefined {
    return this.#map.get(sessionKey);
  }

  /** Sets (or, with null, clears) a session's override, persisted before it returns. */
  set(sessionKey: string, soul: string | null): void {
    if (soul === null ? !this.#map.delete(sessionKey) : this.#map.get(sessionKey) === soul) return;
    if (soul !== null) this.#map.set(sessionKey, soul);
    this.#save();
  }

  #load(): void {
    let text: string;
    try {
      text = readFileSync(this.#file, "utf8");
    } catch {
      return; // none yet
    }
    try {
      const data = JSON.parse(text) as Partial<OverridesFile>;
      if (data.version !== 1 || typeof data.overrides !== "object" || data.overrides === null) throw new Error("not a version-1 overrides file");
      for (const [key, soul] of Object.entries(data.overrides)) if (typeof soul === "string") this.#map.set(key, soul);
    } catch (error) {
      // Kept aside, not overwritten: a person may want what it held.
      const aside = `${this.#file}.damaged-${Date.now()}`;
      renameSync(this.#file, aside);
      this.#log.warn("session soul overrides file is damaged; moved aside, starting with none", { file: this.#file, aside, error: errorMessage(error) });
    }
  }

  #save(): void {
    mkdirPrivateSync(dirname(this.#file));
    const data: OverridesFile = { version: 1, overrides: Object.fromEntries(this.#map) };
    writeFileAtomicSync(this.#file, `${JSON.stringify(data, null, 2)}\n`);
  }
}
