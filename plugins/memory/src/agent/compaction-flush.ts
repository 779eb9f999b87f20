import { contentText, type FactInput, type MemoryService, type SessionsService } from "@aleph/plugin-sdk";
import { extractFacts } from "../extract/rules.js";
import { appendDailyNote } from "../notes/daily-notes.js";

/*
 * Before a compaction summarises a session's older messages away, the facts the user stated in
 * them are kept: stored as facts (duplicates of what auto-extract already took add nothing) and
 * APPENDED to the day's note — never overwriting it — so a person reading memory/ sees what was
 * kept and the notes index finds it again.
 */

/** Messages read back from the part being summarised at most. */
const FLUSH_WINDOW = 1_000;

export interface CompactionFlushOptions {
  memory: () => MemoryService;
  sessions: () => SessionsService | undefined;
  workspaceDir: (agentId: string) => Promise<string>;
  now?: () => Date;
}

/** Returns the facts kept (empty when the part held none). */
export async function flushBeforeCompaction(options: CompactionFlushOptions, event: { agentId: string; sessionKey: string; upToSeq: number }): Promise<string[]> {
  const sessions = options.sessions();
  if (!sessions) return [];
  const messages = (await sessions.history(event.sessionKey, { limit: FLUSH_WINDOW, before: event.upToSeq + 1 })).filter((m) => m.role === "user" && m.summaryOf === undefined);
  const inputs: FactInput[] = [];
  for (const message of messages) {
    for (const fact of extractFacts(contentText(message.content))) {
      inputs.push({ agentId: event.agentId, text: fact.text, category: fact.category, confidence: fact.confidence, tags: ["auto", "compaction"], source: `session:${event.sessionKey}#${message.seq}` });
    }
  }
  const texts = [...new Set(inputs.map((i) => i.text))];
  if (texts.length === 0) return [];
  await options.memory().addMany(inputs);
  const first = messages[0]!.seq;
  await appendDailyNote(await options.workspaceDir(event.agentId), [`Kept before compacting ${event.sessionKey} (#${first}–#${event.upToSeq}):`, ...texts.map((t) => `- ${t}`)].join("\n"), options.now?.() ?? new Date());
  return texts;
}
