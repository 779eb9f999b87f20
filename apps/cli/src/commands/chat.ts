import { resolvePaths } from "@aleph/kernel";
import { validateId, type ChatMessage, type ChatPostInput, type ChatReadOptions, type ChatReadResult, type ChatTornLine } from "@aleph/plugin-sdk";
import { UsageError, type Command, type CommandContext } from "../command.js";
import { CONTENT_OPTIONS, contentOption, contentText, integerOption, onePositional, printable, stringOption } from "../message-args.js";
import { json } from "../output.js";
import { callService } from "../service-call.js";

/*
 * `aleph chat …`: the bundled `chat` plugin's service, the chat source of truth
 * (chat/chats/<chatId>.jsonl), through the running kernel when there is one, else through a
 * kernel started in this process for the command. Ids are checked here first with the service's
 * own rule (validateId), so `../x` fails at once with the same message either way.
 */

/** The documented default and maximum of ChatReadOptions.limit. */
const DEFAULT_READ_LIMIT = 100;
const MAX_READ_LIMIT = 1000;

function oneChatId(args: string[]): string {
  return validateId("chat id", onePositional(args, "a chat id"));
}

function chat<T>(ctx: CommandContext, method: string, args: unknown[]): Promise<T> {
  return callService<T>(resolvePaths({ env: ctx.env, cwd: ctx.cwd }), ctx.env, ctx.cwd, { service: "chat", method, args });
}

/** The warning for damaged lines of a chat stream, one line per damaged line. */
function tornWarning(chatId: string, torn: ChatTornLine[]): string {
  const lines = torn.map((t) => `  line ${t.line}${t.seq !== undefined ? ` (seq ${t.seq}, never reused)` : ""}: ${printable(t.text.length > 80 ? `${t.text.slice(0, 80)}…` : t.text)}\n`);
  return `warning: chat ${chatId} has ${torn.length} damaged line${torn.length === 1 ? "" : "s"} (torn writes), skipped:\n${lines.join("")}`;
}

export const chatLogCommand: Command = {
  name: "chat log",
  args: "<chatId>",
  summary: "Print a chat's messages (`#seq from: content`), oldest first",
  details: [
    "Content is shown as text when it is a string, else as compact JSON. Damaged (torn) lines of the",
    "stream are reported on stderr as a warning; they are skipped and their seqs are never reused.",
    "Page forwards with --after: `aleph chat log team --after 100`.",
  ].join("\n"),
  options: {
    after: { type: "string", value: "SEQ", description: "Only messages after this seq (default 0)" },
    limit: { type: "string", value: "N", description: `At most N messages (default ${DEFAULT_READ_LIMIT}, at most ${MAX_READ_LIMIT})` },
    json: { type: "boolean", description: "Print JSON: {messages: [{seq, chatId, from, ts, content, key?}], lastSeq, more, torn: [{line, text, seq?}]}" },
  },
  async run(ctx) {
    const { args, options, out, err } = ctx;
    const chatId = oneChatId(args);
    const read: ChatReadOptions = {};
    const after = integerOption(options, "after", { min: 0 });
    const limit = integerOption(options, "limit", { min: 1, max: MAX_READ_LIMIT });
    if (after !== undefined) read.after = after;
    if (limit !== undefined) read.limit = limit;
    const result = await chat<ChatReadResult>(ctx, "read", [chatId, read]);
    if (result.torn.length > 0) err(tornWarning(chatId, result.torn));
    if (options.json) {
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
  },
};

export const chatPostCommand: Command = {
  name: "chat post",
  args: "<chatId>",
  summary: "Post a message to a chat and print its seq",
  details: [
    "The content is text, or with --json-content any JSON value:",
    "",
    "  aleph chat post team --from alice --content 'hello'",
    `  aleph chat post team --from bot --json-content --content '{"type":"status","ok":true}'`,
    "",
    "With --key, posting the same key again to the chat stores nothing and prints the first message's seq.",
  ].join("\n"),
  options: {
    from: { type: "string", value: "id", description: "The sender's id (required)" },
    ...CONTENT_OPTIONS,
    key: { type: "string", value: "idempotencyKey", description: "A key unique in the chat: the same key is posted once" },
    json: { type: "boolean", description: "Print JSON: the stored message {seq, chatId, from, ts, content, key?}" },
  },
  async run(ctx) {
    const { args, options, out } = ctx;
    const chatId = oneChatId(args);
    const from = stringOption(options, "from");
    if (from === undefined) throw new UsageError("--from <id> is required");
    const input: ChatPostInput = { from: validateId("sender id (from)", from), content: await contentOption(ctx) };
    const key = stringOption(options, "key");
    if (key !== undefined) input.key = key;
    const message = await chat<ChatMessage>(ctx, "post", [chatId, input]);
    out(options.json ? json(message) : `${message.seq}\n`);
    return 0;
  },
};

export const chatCommands: Command[] = [chatLogCommand, chatPostCommand];
