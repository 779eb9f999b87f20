import { json, progressBar, type CommandInput, type ReindexProgress } from "@aleph/plugin-sdk";
import { memoryOf } from "./support.js";

/** `aleph memory reindex`: every fact re-embedded with the current embedder, progress drawn on a terminal. */
export async function reindexCommand(cmd: CommandInput): Promise<number> {
  const bar = progressBar({ label: "Re-embedding", write: cmd.err, tty: Boolean(process.stderr.isTTY) && cmd.options.json !== true });
  let last: ReindexProgress = { done: 0, total: 0 };
  for await (const progress of cmd.kernel.stream("memory", "reindex", [], { signal: cmd.signal }) as AsyncIterable<ReindexProgress>) {
    last = progress;
    bar.update(progress.done, progress.total);
  }
  const stats = await memoryOf(cmd).stats("main");
  if (cmd.options.json === true) cmd.out(json({ facts: last.total, model: stats.space.model, dimension: stats.space.dimension }));
  else {
    bar.done();
    cmd.out(`Reindexed ${last.total} facts with ${stats.space.model} (${stats.space.dimension} dimensions); vector search is on.\n`);
  }
  return 0;
}
