import { chatRef, CommandUsageError, json, messageContent, validateId, type ChatPostInput, type CommandInput } from "@aleph/plugin-sdk";

/**
 * `aleph chat post <chatId> --from id (--content text | --content-file file|-) [--json-content] [--key k] [--json]`.
 * Ids are checked with the service's own rule first, so `../x` fails before any kernel is reached.
 */
export async function postCommand(cmd: CommandInput): Promise<number> {
  const { options, out } = cmd;
  const chatId = validateId("chat id", cmd.args.chatId as string);
  // Checked here rather than declared `required`, to keep the message naming the value it takes.
  if (typeof options.from !== "string") throw new CommandUsageError("--from <id> is required");
  const input: ChatPostInput = { from: validateId("sender id (from)", options.from), content: await messageContent(cmd) };
  if (typeof options.key === "string") input.key = options.key;
  const message = await cmd.kernel.service(chatRef).post(chatId, input);
  out(options.json === true ? json(message) : `${message.seq}\n`);
  return 0;
}
