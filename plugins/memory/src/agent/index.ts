// The memory plugin's part in the agent loop: recall per turn, the tools, the flush before a compaction.
import type { BeforeCompactionHook } from "@aleph/plugin-sdk";
import { flushBeforeCompaction, type CompactionFlushOptions } from "./compaction-flush.js";

export { recallContributor } from "./recall.js";
export { memoryTools } from "./memory-tools.js";

export function compactionFlushHook(options: CompactionFlushOptions): BeforeCompactionHook {
  return async (event) => {
    await flushBeforeCompaction(options, event);
  };
}
