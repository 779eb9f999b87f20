import type { ChannelMessage, ChannelRouting } from "@aleph/plugin-sdk";

/*
 * Whether a message is the bot's business, and its text as the agent should read it: `/` commands
 * (`/word`, `/word@botname` as Telegram writes them in groups) and the group trigger (in a group,
 * with `group_trigger = "mention"`, only a mention of the bot or a reply to it is for the agent).
 */

export interface SlashCommand {
  /** The command word, lower-cased, without the slash. */
  word: string;
  /** What follows the word. */
  args: string;
  /** `@name` the command was addressed to, if any. */
  target?: string;
  /** The message as the agent gets it for a skill: `/word args`, without `@name`. */
  text: string;
}

const SLASH = /^\/([A-Za-z0-9_][A-Za-z0-9_-]*)(?:@([A-Za-z0-9_.-]+))?(?:\s+([\s\S]*))?$/;

/** A leading `/word` (a path like "/etc/hosts is…" is not one: the word must end at a space or the end). */
export function parseSlash(text: string): SlashCommand | undefined {
  const match = SLASH.exec(text.trim());
  if (!match) return undefined;
  const args = (match[3] ?? "").trim();
  return { word: match[1]!.toLowerCase(), args, ...(match[2] ? { target: match[2] } : {}), text: `/${match[1]}${args ? ` ${args}` : ""}` };
}

/** The bot's handle without "@", lower-cased, when the channel knows it. */
export function handleOf(botName: string | undefined): string | undefined {
  const name = botName?.trim().replace(/^@/, "");
  return name ? name.toLowerCase() : undefined;
}

/** `/word@other_bot` is another bot's command; `/word` and `/word@us` are ours (an unknown own name counts as ours). */
export function slashIsOurs(command: SlashCommand, botName: string | undefined): boolean {
  if (command.target === undefined) return true;
  const own = handleOf(botName);
  return own === undefined || command.target.toLowerCase() === own;
}

/**
 * A group message is the agent's when the trigger is "all", or it mentions the bot, replies to the
 * bot, or is a `/` command (commands are addressed to bots by nature). DMs always are.
 */
export function addressedToBot(message: ChannelMessage, routing: ChannelRouting, command: SlashCommand | undefined): boolean {
  if (message.kind === "dm" || routing.group_trigger === "all") return true;
  return message.mentionsBot === true || message.replyTo?.toBot === true || command !== undefined;
}

/** The text without the bot's @mention (adapters may leave it in), spaces tidied. */
export function withoutMention(text: string, botName: string | undefined): string {
  const own = handleOf(botName);
  if (!own) return text.trim();
  const escaped = own.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return text
    .replace(new RegExp(`(^|\\s)@${escaped}(?![A-Za-z0-9_])[,:]?`, "gi"), "$1")
    .replace(/[ \t]{2,}/g, " ")
    .trim();
}
