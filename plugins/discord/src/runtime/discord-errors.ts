import { AlephError, errorMessage } from "@aleph/plugin-sdk";

/*
 * What Discord's refusals mean for whoever runs the bot, as AlephErrors with a fix. Never with
 * the token: nothing here quotes a request's headers.
 *
 * A refusal no retry can cure — a wrong token, an intent the application lacks — is
 * ALEPH_E_CONFIG: the channels registry then leaves the channel failed rather than retrying (each
 * IDENTIFY counts against Discord's daily session-start limit) until the config changes.
 */

const TOKEN_FIX = "reset the bot's token in the Discord Developer Portal (your application → Bot → Reset Token) and store it: aleph keys set discord-token";

/**
 * Gateway close codes after which reconnecting cannot help (@discordjs/ws does not retry them
 * either): the channel fails and says why. Any other close is resumed or re-identified.
 */
export function fatalCloseError(code: number): AlephError | undefined {
  switch (code) {
    case 4004:
      return new AlephError("ALEPH_E_CONFIG", "Discord refused the bot token (gateway close 4004: authentication failed)", { fix: TOKEN_FIX });
    case 4010:
    case 4011:
      return new AlephError("ALEPH_E_CONFIG", `Discord requires sharding for this bot (gateway close ${code}); Aleph's Discord channel runs one shard, enough for up to 2,500 servers`, {
        fix: "run the bot in fewer servers",
      });
    case 4012:
      return new AlephError("ALEPH_E_DISCORD_GATEWAY", "Discord no longer accepts gateway API version 10 (gateway close 4012)", { fix: "update Aleph" });
    case 4013:
      return new AlephError("ALEPH_E_DISCORD_GATEWAY", "Discord refused the gateway intents as invalid (gateway close 4013)", { fix: "update Aleph; if it persists, report it" });
    case 4014:
      return new AlephError("ALEPH_E_CONFIG", "Discord refused the Message Content intent: it is not enabled for this application (gateway close 4014: disallowed intents)", {
        fix: "enable Message Content Intent in the Discord Developer Portal (your application → Bot → Privileged Gateway Intents)",
      });
    default:
      return undefined;
  }
}

interface RestFailure {
  status?: number;
  code?: number | string;
  message: string;
}

function restFailure(error: unknown): RestFailure {
  const fields = (typeof error === "object" && error !== null ? error : {}) as { status?: unknown; code?: unknown };
  return {
    status: typeof fields.status === "number" ? fields.status : undefined,
    code: typeof fields.code === "number" || typeof fields.code === "string" ? fields.code : undefined,
    message: errorMessage(error),
  };
}

/** A failure of a REST call made at start (who the bot is, where the gateway is). */
export function startError(error: unknown, apiBase: string): AlephError {
  if (error instanceof AlephError) return error;
  const failure = restFailure(error);
  if (failure.status === 401) return new AlephError("ALEPH_E_CONFIG", "Discord refused the bot token (HTTP 401 Unauthorized)", { fix: TOKEN_FIX, cause: error });
  if (failure.status !== undefined) {
    return new AlephError("ALEPH_E_DISCORD_GATEWAY", `Discord's API answered HTTP ${failure.status} at start: ${failure.message}`, { fix: "retried by itself; if it persists, check https://discordstatus.com", cause: error });
  }
  return new AlephError("ALEPH_E_DISCORD_GATEWAY", `could not reach Discord's API at ${apiBase}: ${failure.message}`, {
    fix: "check the network (and api_base in [interfaces.discord], when set); retried by itself",
    cause: error,
  });
}

/** Why a message could not be posted to a channel. */
export function sendError(error: unknown, chatId: string, part: number, parts: number): AlephError {
  if (error instanceof AlephError) return error;
  const failure = restFailure(error);
  const where = parts > 1 ? `part ${part + 1} of ${parts} of a message to channel ${chatId}` : `a message to channel ${chatId}`;
  const message = `Discord refused ${where}: ${failure.message}`;
  switch (failure.code) {
    case 10003:
      return new AlephError("ALEPH_E_DISCORD_SEND", message, { fix: "the channel no longer exists, or the bot cannot see it", cause: error });
    case 50001:
    case 50013:
      return new AlephError("ALEPH_E_DISCORD_SEND", message, { fix: "give the bot the View Channel and Send Messages permissions in that channel (server settings → roles, or the channel's permissions)", cause: error });
    case 50007:
      return new AlephError("ALEPH_E_DISCORD_SEND", message, { fix: "the user does not accept direct messages from the bot (their privacy settings), or shares no server with it", cause: error });
  }
  if (failure.status === 401) return new AlephError("ALEPH_E_CONFIG", message, { fix: TOKEN_FIX, cause: error });
  return new AlephError("ALEPH_E_DISCORD_SEND", message, { fix: "retry later; if it persists, check https://discordstatus.com", cause: error });
}
