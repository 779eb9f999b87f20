/*
 * What may stand in `allow_from` and `allow_groups` for Telegram, checked when the config loads so
 * that an entry that could never match anyone is an error naming it, not a silently ignored line.
 *
 * A Telegram bot learns a sender's numeric user id and @username (when they have one), never their
 * phone number: the Bot API does not give it to bots. An entry that looks like a phone number (the
 * seed's example has "+1234567890") therefore can never match, and says so.
 */

const USER_ID = /^[1-9][0-9]{0,19}$/;
/** Telegram usernames: letters, digits and "_" (5–32 for people; fewer for some collectible ones). */
const USERNAME = /^@[A-Za-z0-9_]{1,32}$/;
/** Group and supergroup chat ids are negative (-12345, supergroups -100…). */
const GROUP_ID = /^-[1-9][0-9]{0,19}$/;

/** What an allow_from entry may be, as one pattern: it goes into the shipped JSON Schema too, so `aleph config check` refuses a bad entry without running the plugin. */
export const ALLOW_FROM_PATTERN = /^(?:[1-9][0-9]{0,19}|@[A-Za-z0-9_]{1,32})$/;
export const ALLOW_GROUP_PATTERN = GROUP_ID;
/** "+1 234 567", "+44-20-7946", "(555) 123-4567": digits with a leading "+" or phone punctuation. */
const PHONE_LIKE = /^\+[0-9][0-9 ().-]*$|^(?=.*[0-9].*[0-9].*[0-9])[0-9 ()+.-]*[ ()-][0-9 ()+.-]*$/;

const FIND_USER_ID =
  'their numeric Telegram user id (e.g. "123456789": they can ask @userinfobot, or leave allow_from empty, have them message the bot and approve the code with `aleph interfaces pair <code>`) or their "@username"';

/** Why `entry` cannot be an `allow_from` entry (a Telegram user id or "@username"), or undefined when it can. */
export function allowFromProblem(entry: string): string | undefined {
  if (USER_ID.test(entry) || USERNAME.test(entry)) return undefined;
  const quoted = JSON.stringify(entry);
  if (GROUP_ID.test(entry)) return `${quoted} is a group chat id (negative): put it in allow_groups, or use a person's user id here`;
  if (PHONE_LIKE.test(entry)) {
    return `${quoted} looks like a phone number, but Telegram never tells a bot a sender's phone number, so it can match nobody; use ${FIND_USER_ID}`;
  }
  if (/^[A-Za-z0-9_]{1,32}$/.test(entry) && !/^[0-9]+$/.test(entry)) return `${quoted} is not a user id nor an @username: write "@${entry}" for the username`;
  return `${quoted} is neither a Telegram user id nor an @username; use ${FIND_USER_ID}`;
}

/** Why `entry` cannot be an `allow_groups` entry (a group chat id), or undefined when it can. */
export function allowGroupProblem(entry: string): string | undefined {
  if (GROUP_ID.test(entry)) return undefined;
  const quoted = JSON.stringify(entry);
  if (USER_ID.test(entry)) return `${quoted} is a user id (positive): put it in allow_from; a group's chat id is negative (e.g. "-1001234567890")`;
  return `${quoted} is not a Telegram group chat id: write the group's numeric chat id, which is negative (e.g. "-1001234567890"; with ALEPH_LOG=telegram=debug the plugin logs the chat id of every message it receives)`;
}
