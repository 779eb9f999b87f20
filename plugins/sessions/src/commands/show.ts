import { json, MAX_HISTORY_LIMIT, plural, printable, timeText, type CommandInput } from "@aleph/plugin-sdk";
import { keyArg, messageLine, notFound, sessionsOf } from "./command-support.js";

/** Messages `aleph sessions show` prints without --limit (a screenful; the manifest declares the same default). */
export const DEFAULT_SHOW_LIMIT = 20;

/** `aleph sessions show <key> [--limit N] [--before SEQ] [--json]` */
export async function showCommand(cmd: CommandInput): Promise<number> {
  const { options, out } = cmd;
  const key = keyArg(cmd);
  const limit = typeof options.limit === "number" ? options.limit : DEFAULT_SHOW_LIMIT;
  const before = typeof options.before === "number" ? options.before : undefined;
  // One more than asked for says whether older messages remain.
  const probe = Math.min(limit + 1, MAX_HISTORY_LIMIT);
  const sessions = sessionsOf(cmd);
  const session = await sessions.get(key);
  if (!session) throw notFound(key);
  const history = await sessions.history(key, before === undefined ? { limit: probe } : { limit: probe, before });
  const messages = history.length > limit ? history.slice(history.length - limit) : history;
  if (options.json === true) {
    out(json({ session, messages }));
    return 0;
  }
  out(`${printable(session.key)} · kind ${session.kind} · agent ${session.agentId}${session.channel === null ? "" : ` · channel ${session.channel}`}\n`);
  out(
    `${plural(session.messageCount, "message")} · ${session.tokenCount} tokens · last seq ${session.lastSeq} · created ${timeText(session.createdAt)} · updated ${timeText(session.updatedAt)}` +
      `${session.lastCompaction !== null ? ` · compacted ${timeText(session.lastCompaction)}` : ""}\n`,
  );
  if (messages.length === 0) {
    out(before === undefined ? "(no messages)\n" : `(no messages before #${before})\n`);
    return 0;
  }
  // At the service's maximum there is no room to probe: a full page may have older messages before it.
  const older = probe > limit ? history.length > limit : history.length === limit && messages[0]!.seq > 1;
  if (older) out(`… older messages: aleph sessions show ${key} --before ${messages[0]!.seq}\n`);
  for (const message of messages) out(messageLine(message));
  return 0;
}
