import { AlephError } from "@aleph/plugin-sdk";
import type { ApiFailure } from "./api-errors.js";

/*
 * A send that failed, as the error the registry (and the person reading `aleph interfaces list` or
 * the log) gets: Telegram's reason in its words, and what to do about it. Never the token.
 */

export function sendError(failure: Exclude<ApiFailure, { kind: "aborted" }>, chatId: string, sent: readonly string[]): AlephError {
  const partly = sent.length > 0 ? ` after ${sent.length} part${sent.length === 1 ? "" : "s"} went out (${sent.join(", ")})` : "";
  switch (failure.kind) {
    case "refused":
      return new AlephError("ALEPH_E_TELEGRAM_AUTH", `Telegram refused the bot token (${failure.message})${partly}`, { fix: refusedFix(failure.code) });
    case "unavailable":
      return new AlephError("ALEPH_E_TELEGRAM_SEND", `sending to Telegram chat ${chatId} failed: ${failure.message}${partly}`, {
        fix: "check the network and [interfaces.telegram] api_root; it is not retried, as Telegram may have received it",
      });
    case "rate_limited":
      return new AlephError("ALEPH_E_TELEGRAM_SEND", `Telegram keeps limiting the bot's messages to chat ${chatId} (${failure.message})${partly}`, {
        fix: "send less often: Telegram allows about one message a second per chat and 20 a minute per group",
      });
    case "conflict":
    case "rejected":
      return new AlephError("ALEPH_E_TELEGRAM_SEND", `Telegram refused the message to chat ${chatId}: ${failure.message}${partly}`, { fix: rejectedFix(failure) });
  }
}

export function refusedFix(code: number): string {
  return code === 404
    ? "the token is malformed or api_root is not a Bot API server: check [interfaces.telegram] token and api_root (the change applies at once)"
    : "the token is wrong or was revoked: get the current one from @BotFather (/token), store it with `aleph keys set telegram-token`, then save config.toml (the config is read again) or restart `aleph start`";
}

function rejectedFix(failure: Extract<ApiFailure, { kind: "conflict" | "rejected" }>): string {
  const description = failure.kind === "rejected" ? failure.description : failure.message;
  if (/chat not found/i.test(description)) return "a bot can write only to chats it is in, and to people who wrote to it first";
  if (/blocked by the user|user is deactivated|kicked|not a member/i.test(description)) return "the person blocked the bot, or it was removed from the group: nothing can be sent there until that changes";
  if (/too long/i.test(description)) return "this is a bug in the telegram plugin's splitting: report it";
  return "see Telegram's reason above";
}
