import { chatRef, contentText, json, printable, validateId, type ChatReadOptions, type ChatTornLine, type CommandInput } from "@aleph/plugin-sdk";

/** The warning for damaged lines of a chat stream, one line per damaged line. */
function tornWarning(chatId: string, torn: ChatTornLine[]): string {
  const lines = torn.map((t) => `  line ${t.line}${t.seq !== undefined ? ` (seq ${t.seq}, never reused)` : ""}: ${printable(t.text.length > 80 ? `${t.text.slice(0, 80)}…` : t.text)}\n`);
  return `warning: chat ${chatId} has ${torn.length} damaged line${torn.length === 1 ? "" : "s"} (torn writes), skipped:\n${lines.join("")}`;
}

/**
 * `aleph chat log <chatId> [--after SEQ] [--limit N] [--json]`. The chat id is checked with the
 * service's own rule first, so `../x` fails before any kernel is reached.
 */
export async function logCommand(cmd: CommandInput): Promise<number> {
  const { options, out, err } = cmd;
  const chatId = validateId("chat id", cmd.args.chatId as string);
  const read: ChatReadOptions = {};
  const after = typeof options.after === "number" ? options.after : undefined;
  if (after !== undefined) read.after = after;
  if (typeof options.limit === "number") read.limit = options.limit;
  const result = await cmd.kernel.service(chatRef).read(chatId, read);
  if (result.torn.length > 0) err(tornWarning(chatId, result.torn));
  if (options.json === true) {
    out(json(result));
    return 0;
  }
  if (result.messages.length === 0) {
    out(after === undefined ? `No messages in chat ${chatId}.\n` : `No messages after #${after} in chat ${chatId}.\n`);
    return 0;
  }
  for (const message of result.messages) out(`#${message.seq} ${message.from}: ${contentText(message.content)}\n`);
  const last = result.messages.at(-1)!.seq;
  if (result.more) err(`note: more messages follow (up to #${result.lastSeq}): aleph chat log ${chatId} --after ${last}\n`);
  return 0;
}
