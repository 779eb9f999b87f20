import { json, messageContent, type CommandInput, type SessionMessageInput, type SessionRole } from "@aleph/plugin-sdk";
import { keyArg, sessionsOf } from "./command-support.js";

/**
 * `aleph sessions append <key> --role R (--content text | --content-file file|-) [--json-content] [--id id] [--json]`
 * (--role is required and one of SESSION_ROLES: the manifest says so, and the CLI checks it before this runs).
 */
export async function appendCommand(cmd: CommandInput): Promise<number> {
  const { options, out } = cmd;
  const key = keyArg(cmd);
  const message: SessionMessageInput = { role: options.role as SessionRole, content: await messageContent(cmd) };
  if (typeof options.id === "string") message.id = options.id;
  const result = await sessionsOf(cmd).append(key, message);
  const stored = result.messages[0]!;
  out(options.json === true ? json({ message: stored, session: result.session }) : `${stored.seq}\n`);
  return 0;
}
