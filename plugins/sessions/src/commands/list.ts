import { CommandUsageError, json, printable, table, timeText, type CommandInput, type SessionListFilter } from "@aleph/plugin-sdk";
import { sessionsOf } from "./command-support.js";

/** `aleph sessions list [--agent id] [--channel name] [--prefix keyPrefix] [--archived] [--limit N] [--json]` */
export async function listCommand(cmd: CommandInput): Promise<number> {
  const { options, out } = cmd;
  const filter: SessionListFilter = {};
  if (typeof options.agent === "string") filter.agentId = options.agent;
  if (typeof options.channel === "string") filter.channel = options.channel;
  if (typeof options.prefix === "string") {
    if (options.prefix === "") throw new CommandUsageError("--prefix takes the start of a key, such as agent:main:");
    filter.prefix = options.prefix;
  }
  if (options.archived === true) filter.archived = true;
  if (typeof options.limit === "number") filter.limit = options.limit;
  const list = await sessionsOf(cmd).list(filter);
  if (options.json === true) out(json(list));
  else if (list.length === 0) out(options.archived === true ? "No archived sessions.\n" : "No sessions.\n");
  else {
    const archived = options.archived === true;
    const header = ["KEY", "MESSAGES", "TOKENS", "UPDATED", ...(archived ? ["ARCHIVED-AT"] : [])];
    const rows = list.map((s) => [printable(s.key), String(s.messageCount), String(s.tokenCount), timeText(s.updatedAt), ...(archived ? [String(s.archivedAt)] : [])]);
    out(table([header, ...rows]));
  }
  return 0;
}
