import { join } from "node:path";
import { AlephError, type CuratedFileName, type CuratedView, type MemoryService } from "@aleph/plugin-sdk";
import { addEntry, formatEntries, removeEntry, replaceEntry, type CuratedLimits } from "../curated/entries.js";
import { editEntries, readEntries } from "../curated/curated-file.js";

/*
 * The curated-memory part of the memory service: MEMORY.md and USER.md of an agent's workspace,
 * edited entry by entry (curated/entries.ts has the format and its rules).
 */

export const CURATED_FILES: readonly CuratedFileName[] = ["MEMORY.md", "USER.md"];

export interface CuratedServiceOptions {
  /** The agent's Markdown workspace (the workspace plugin knows where it is). */
  workspaceDir: (agentId: string) => Promise<string>;
  limits: Record<CuratedFileName, CuratedLimits>;
}

function checkFile(file: string): CuratedFileName {
  if (!(CURATED_FILES as readonly string[]).includes(file)) throw new AlephError("ALEPH_E_USAGE", `"${file}" is not a curated file`, { fix: `use ${CURATED_FILES.join(" or ")}` });
  return file as CuratedFileName;
}

export function createCuratedService(options: CuratedServiceOptions): Pick<MemoryService, "curated" | "curate"> {
  const view = (file: CuratedFileName, path: string, entries: string[]): CuratedView => ({ file, path, entries, chars: formatEntries(entries).length, limits: options.limits[file] });
  return {
    async curated(agentId, name) {
      const file = checkFile(name);
      const path = join(await options.workspaceDir(agentId), file);
      return view(file, path, await readEntries(path));
    },
    async curate(agentId, edit) {
      const file = checkFile(edit.file);
      const path = join(await options.workspaceDir(agentId), file);
      const limits = options.limits[file];
      const need = (value: string | undefined, what: string): string => {
        if (typeof value !== "string") throw new AlephError("ALEPH_E_USAGE", `${edit.action} needs ${what}`, { file: path });
        return value;
      };
      const entries = await editEntries(path, (before) => {
        switch (edit.action) {
          case "add":
            return addEntry(before, need(edit.text, "the entry's text"), limits, file);
          case "replace":
            return replaceEntry(before, need(edit.match, "a match (text of the entry to replace)"), need(edit.text, "the new text"), limits, file);
          case "remove":
            return removeEntry(before, need(edit.match, "a match (text of the entry to remove)"), file);
          default:
            throw new AlephError("ALEPH_E_USAGE", `unknown curated-memory action "${String(edit.action)}"`, { fix: "add, replace or remove" });
        }
      });
      return view(file, path, entries);
    },
  };
}
