import { existsSync } from "node:fs";
import { join } from "node:path";
import { errorMessage, memoryRef, type DoctorFinding, type DoctorInput } from "@aleph/plugin-sdk";

/*
 * memory's `aleph doctor` check ([plugin] doctor = true): the facts table opens, and its vectors
 * are in the embedder's space (else vector search is paused until `aleph memory reindex`).
 */

const CHECK = "memory";

export async function memoryDoctor({ kernel, paths }: DoctorInput): Promise<DoctorFinding[]> {
  const table = join(paths.root, "memory", "facts.lance");
  if (!existsSync(table)) return [{ check: CHECK, ok: true, message: "no facts yet", path: table }];
  try {
    const stats = await kernel.service(memoryRef).stats("main");
    if (!stats.vectorsUsable) {
      return [
        {
          check: CHECK,
          ok: false,
          message: `vector search is paused: the facts' vectors are ${stats.space.model} (${stats.space.dimension} dimensions), made by another embedder than [memory] embedder; keyword search still works`,
          path: table,
          fix: "`aleph memory reindex` re-embeds them (or set [memory] embedder back)",
        },
      ];
    }
    return [{ check: CHECK, ok: true, message: `facts table opens; ${stats.live} live facts of main, vectors ${stats.space.model} (${stats.space.dimension})`, path: table }];
  } catch (error) {
    return [{ check: CHECK, ok: false, message: `the facts table does not open: ${errorMessage(error)}`, path: table, fix: "see logs/agent.log; `aleph memory export` what can be read, then move memory/facts.lance aside" }];
  }
}
