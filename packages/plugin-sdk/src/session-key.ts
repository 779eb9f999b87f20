import { AlephError } from "./errors.js";
import { explainInvalidId } from "./ids.js";

/**
 * Session keys: the hierarchical text that names a session in `sessions.db`.
 *
 *   agent:<agentId>:main                      shared cross-channel session
 *   agent:<agentId>:<channel>:dm:<peer>       per-peer direct messages on a channel
 *   agent:<agentId>:<channel>:group:<groupId> a group chat on a channel
 *   agent:<agentId>:cron:<job>                a scheduled task
 *   subagent:agent:<agentId>:<name>           a named sub-agent of agent <agentId>
 *
 * The sub-agent form is the one the workspace layout uses (`subagent:agent:main:translator`):
 * it names the parent *agent*, not a parent session, so `agentId` is the parent agent's id.
 *
 * The form is decided by the number of `:`-separated parts (3, 4 or 5 after `agent`), never by
 * the values, so a peer, group, job or name spelled `main`, `dm`, `group` or `cron` cannot
 * change the meaning of a key. The channel names `main` and `cron` are reserved so that
 * `agent:<id>:<channel>:` prefixes never overlap the main session or the cron sessions.
 *
 * Free-text parts (peer, groupId, job, name) are percent-encoded: `%` → `%25`, `:` → `%3A`,
 * ASCII control characters, space and DEL → `%XX` (uppercase hex). Everything else, including
 * non-ASCII text, is written as is. Parsing accepts only this canonical encoding, so
 * `formatSessionKey(parseSessionKey(s)) === s` for every key that parses, and
 * `parseSessionKey(formatSessionKey(k))` deep-equals `k` for any non-empty part strings.
 * Agent ids follow the safe-id rule of {@link explainInvalidId}; channels match
 * {@link SESSION_CHANNEL_PATTERN}. Neither needs escaping.
 */
export type SessionKey =
  | { kind: "main"; agentId: string }
  | { kind: "dm"; agentId: string; channel: string; peer: string }
  | { kind: "group"; agentId: string; channel: string; groupId: string }
  | { kind: "cron"; agentId: string; job: string }
  | { kind: "subagent"; agentId: string; name: string };

export type SessionKeyKind = SessionKey["kind"];

/** Longest session key, in UTF-16 code units (JavaScript string length). */
export const SESSION_KEY_MAX_LENGTH = 512;

/** Channel names: lowercase letters, digits, `_` and `-`, at most 64. */
export const SESSION_CHANNEL_PATTERN = /^[a-z0-9_-]{1,64}$/;

/** Channel names that would collide with the `main` and `cron` forms. */
export const RESERVED_SESSION_CHANNELS: readonly string[] = ["main", "cron"];

const FORMS =
  "agent:<id>:main, agent:<id>:<channel>:dm:<peer>, agent:<id>:<channel>:group:<groupId>, agent:<id>:cron:<job> or subagent:agent:<id>:<name>";

/** Characters written as %XX: controls, space, `%`, `:`, DEL. */
// eslint-disable-next-line no-control-regex
const ESCAPED = /[\u0000-\u0020%:\u007f]/g;
// eslint-disable-next-line no-control-regex
const RAW_FORBIDDEN = /[\u0000-\u0020\u007f]/;
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

function mustEscape(code: number): boolean {
  return code <= 0x20 || code === 0x25 || code === 0x3a || code === 0x7f;
}

function hex(code: number): string {
  return code.toString(16).toUpperCase().padStart(2, "0");
}

function shown(text: string): string {
  const cut = text.length > 80 ? `${text.slice(0, 80)}…` : text;
  return JSON.stringify(cut);
}

function fail(message: string, fix: string): never {
  throw new AlephError("ALEPH_E_SESSION_KEY", message, { fix });
}

/** Percent-encodes one free-text part. */
export function escapeSessionKeyPart(value: string): string {
  return value.replace(ESCAPED, (ch) => `%${hex(ch.charCodeAt(0))}`);
}

/**
 * Decodes one free-text part. `offset` is the part's 0-based position in the whole key and
 * only serves the error messages. Only canonical escapes are accepted.
 */
export function unescapeSessionKeyPart(part: string, offset = 0, what = "part"): string {
  let out = "";
  for (let i = 0; i < part.length; i++) {
    const ch = part[i] as string;
    if (ch !== "%") {
      out += ch;
      continue;
    }
    const column = offset + i + 1;
    const digits = part.slice(i + 1, i + 3);
    if (digits.length < 2) {
      fail(
        `session key ${what} has a truncated escape "%${digits}" at column ${column}`,
        `write "%" as "%25"; an escape is "%" followed by two uppercase hex digits`,
      );
    }
    if (!/^[0-9A-Fa-f]{2}$/.test(digits)) {
      fail(
        `session key ${what} has a bad escape "%${digits}" at column ${column}`,
        `write "%" as "%25"; an escape is "%" followed by two uppercase hex digits`,
      );
    }
    if (digits !== digits.toUpperCase()) {
      fail(
        `session key ${what} has a lowercase escape "%${digits}" at column ${column}`,
        `write it as "%${digits.toUpperCase()}" (keys use one canonical spelling)`,
      );
    }
    const code = Number.parseInt(digits, 16);
    if (!mustEscape(code)) {
      fail(
        `session key ${what} escapes "${String.fromCharCode(code)}" as "%${digits}" at column ${column}, which needs no escaping`,
        `write the character itself; only "%", ":", space and control characters are escaped`,
      );
    }
    out += String.fromCharCode(code);
    i += 2;
  }
  return out;
}

function checkAgentId(agentId: unknown, where: string): string {
  const problem = explainInvalidId("agent id", agentId);
  if (problem) {
    fail(
      `session key ${where}: ${problem}`,
      `use letters, digits, ".", "_" or "-" for the agent id, starting with a letter or digit, at most 128 characters`,
    );
  }
  return agentId as string;
}

function explainInvalidChannel(channel: unknown): string | undefined {
  if (typeof channel !== "string") return `channel must be a string, got ${channel === null ? "null" : typeof channel}`;
  if (channel.length === 0) return "channel is empty";
  if (!SESSION_CHANNEL_PATTERN.test(channel)) return `channel ${shown(channel)} does not match ${SESSION_CHANNEL_PATTERN}`;
  if (RESERVED_SESSION_CHANNELS.includes(channel)) return `channel "${channel}" is reserved`;
  return undefined;
}

function checkChannel(channel: unknown, where: string): string {
  const problem = explainInvalidChannel(channel);
  if (problem) {
    fail(
      `session key ${where}: ${problem}`,
      `use lowercase letters, digits, "_" or "-" (at most 64), other than ${RESERVED_SESSION_CHANNELS.map((c) => `"${c}"`).join(" and ")}`,
    );
  }
  return channel as string;
}

function checkText(field: string, value: unknown): string {
  if (typeof value !== "string") fail(`session key ${field} must be a string, got ${value === null ? "null" : typeof value}`, `pass a non-empty string as ${field}`);
  if (value.length === 0) fail(`session key ${field} is empty`, `pass a non-empty string as ${field}`);
  if (LONE_SURROGATE.test(value)) fail(`session key ${field} contains a lone UTF-16 surrogate`, `pass well-formed Unicode text as ${field}`);
  return escapeSessionKeyPart(value);
}

/** Writes a session key. Throws ALEPH_E_SESSION_KEY when a part is invalid or the key is too long. */
export function formatSessionKey(key: SessionKey): string {
  if (typeof key !== "object" || key === null) fail(`session key must be an object, got ${key === null ? "null" : typeof key}`, `pass { kind, agentId, … }`);
  const agentId = checkAgentId(key.agentId, `of kind "${String(key.kind)}"`);
  let text: string;
  switch (key.kind) {
    case "main":
      text = `agent:${agentId}:main`;
      break;
    case "cron":
      text = `agent:${agentId}:cron:${checkText("job", key.job)}`;
      break;
    case "dm":
      text = `agent:${agentId}:${checkChannel(key.channel, `of kind "dm"`)}:dm:${checkText("peer", key.peer)}`;
      break;
    case "group":
      text = `agent:${agentId}:${checkChannel(key.channel, `of kind "group"`)}:group:${checkText("groupId", key.groupId)}`;
      break;
    case "subagent":
      text = `subagent:agent:${agentId}:${checkText("name", key.name)}`;
      break;
    default:
      fail(`session key kind ${JSON.stringify((key as { kind: unknown }).kind)} is unknown`, `use one of "main", "dm", "group", "cron", "subagent"`);
  }
  if (text.length > SESSION_KEY_MAX_LENGTH) {
    fail(
      `session key is ${text.length} characters long once escaped, the limit is ${SESSION_KEY_MAX_LENGTH}`,
      `shorten the peer, group, job or name`,
    );
  }
  return text;
}

interface Part {
  text: string;
  /** 0-based offset in the key. */
  at: number;
}

/** Reads a session key. Throws ALEPH_E_SESSION_KEY saying what is wrong, where, and how to fix it. */
export function parseSessionKey(text: string): SessionKey {
  if (typeof text !== "string") fail(`session key must be a string, got ${text === null ? "null" : typeof text}`, `pass one of ${FORMS}`);
  if (text.length === 0) fail(`session key is empty`, `pass one of ${FORMS}`);
  if (text.length > SESSION_KEY_MAX_LENGTH) {
    fail(`session key is ${text.length} characters long, the limit is ${SESSION_KEY_MAX_LENGTH}`, `shorten the peer, group, job or name`);
  }
  const nul = text.indexOf("\0");
  if (nul >= 0) fail(`session key ${shown(text)} contains a NUL byte at column ${nul + 1}`, `remove it, or escape it as "%00" inside a free-text part`);
  const raw = RAW_FORBIDDEN.exec(text);
  if (raw) {
    fail(
      `session key ${shown(text)} contains a raw ${raw[0] === " " ? "space" : "control character"} at column ${raw.index + 1}`,
      `escape it as "%${hex(raw[0].charCodeAt(0))}"`,
    );
  }
  if (LONE_SURROGATE.test(text)) fail(`session key ${shown(text)} contains a lone UTF-16 surrogate`, `pass well-formed Unicode text`);

  const parts: Part[] = [];
  let at = 0;
  for (const piece of text.split(":")) {
    parts.push({ text: piece, at });
    at += piece.length + 1;
  }
  const part = (i: number): Part => parts[i] as Part;

  const head = part(0).text;
  if (head !== "agent" && head !== "subagent") {
    fail(`session key ${shown(text)} starts with unknown prefix ${shown(head)}`, `start it with "agent:" or "subagent:agent:" — ${FORMS}`);
  }
  parts.forEach((p, i) => {
    if (p.text.length === 0) {
      fail(`session key ${shown(text)} has an empty part ${i + 1} at column ${p.at + 1}`, `remove the doubled or trailing ":" or fill in the missing part — ${FORMS}`);
    }
  });

  if (head === "subagent") {
    if (parts.length < 2 || part(1).text !== "agent") {
      fail(`session key ${shown(text)}: after "subagent:" expected "agent" at column ${parts.length < 2 ? text.length + 1 : part(1).at + 1}`, `write subagent:agent:<id>:<name>`);
    }
    if (parts.length !== 4) {
      fail(
        `session key ${shown(text)} has ${parts.length} parts, a sub-agent key has 4 (subagent:agent:<id>:<name>)`,
        parts.length > 4 ? `escape ":" inside the name as "%3A"` : `add the missing parts: subagent:agent:<id>:<name>`,
      );
    }
    const agentId = checkAgentId(part(2).text, `${shown(text)} at column ${part(2).at + 1}`);
    return { kind: "subagent", agentId, name: unescapeSessionKeyPart(part(3).text, part(3).at, `${shown(text)} name`) };
  }

  if (parts.length < 3) {
    fail(`session key ${shown(text)} has ${parts.length} part${parts.length === 1 ? "" : "s"}, an agent key has 3 to 5`, `use one of ${FORMS}`);
  }
  if (parts.length > 5) {
    fail(
      `session key ${shown(text)} has ${parts.length} parts, an agent key has at most 5 (unexpected part at column ${part(5).at + 1})`,
      `escape ":" inside a peer, group or job as "%3A"`,
    );
  }
  const agentId = checkAgentId(part(1).text, `${shown(text)} at column ${part(1).at + 1}`);
  const third = part(2);
  if (parts.length === 3) {
    if (third.text !== "main") {
      fail(`session key ${shown(text)}: a 3-part key must end in "main", found ${shown(third.text)} at column ${third.at + 1}`, `write agent:<id>:main, or add the scope: agent:<id>:<channel>:dm:<peer>`);
    }
    return { kind: "main", agentId };
  }
  if (parts.length === 4) {
    if (third.text !== "cron") {
      fail(`session key ${shown(text)}: a 4-part agent key must be a cron key, found ${shown(third.text)} instead of "cron" at column ${third.at + 1}`, `write agent:<id>:cron:<job>, or agent:<id>:<channel>:dm:<peer> / :group:<groupId>`);
    }
    return { kind: "cron", agentId, job: unescapeSessionKeyPart(part(3).text, part(3).at, `${shown(text)} job`) };
  }
  const channel = checkChannel(third.text, `${shown(text)} at column ${third.at + 1}`);
  const scope = part(3);
  const value = part(4);
  if (scope.text === "dm") {
    return { kind: "dm", agentId, channel, peer: unescapeSessionKeyPart(value.text, value.at, `${shown(text)} peer`) };
  }
  if (scope.text === "group") {
    return { kind: "group", agentId, channel, groupId: unescapeSessionKeyPart(value.text, value.at, `${shown(text)} group id`) };
  }
  return fail(`session key ${shown(text)}: expected "dm" or "group" at column ${scope.at + 1}, found ${shown(scope.text)}`, `write agent:<id>:<channel>:dm:<peer> or agent:<id>:<channel>:group:<groupId>`);
}

/** Like {@link parseSessionKey}, but returns undefined instead of throwing. */
export function tryParseSessionKey(text: string): SessionKey | undefined {
  try {
    return parseSessionKey(text);
  } catch {
    return undefined;
  }
}

/**
 * The prefix shared by every session of an agent (`agent:<id>:`), or of one channel of it
 * (`agent:<id>:<channel>:`). It ends in `:`, which no agent id or channel contains, so it
 * never matches agent `main2` when asked for `main`. Covers main, channel and cron sessions,
 * not sub-agent sessions (see {@link subagentPrefix}).
 *
 * For SQL, prefer {@link sessionKeyRange} (`key >= start AND key < end`). With LIKE, use
 * {@link sessionKeyLikePattern} — agent ids and channels may contain `_`, a LIKE wildcard —
 * and mind that SQLite's LIKE ignores ASCII case unless `case_sensitive_like` is on.
 */
export function sessionKeyPrefix(scope: { agentId: string; channel?: string }): string {
  const agentId = checkAgentId(scope.agentId, "prefix");
  if (scope.channel === undefined) return `agent:${agentId}:`;
  return `agent:${agentId}:${checkChannel(scope.channel, "prefix")}:`;
}

/** The prefix shared by every sub-agent session of agent `agentId`: `subagent:agent:<id>:`. */
export function subagentPrefix(agentId: string): string {
  return `subagent:agent:${checkAgentId(agentId, "prefix")}:`;
}

/**
 * Half-open range [start, end) of the keys that start with `prefix` (from
 * {@link sessionKeyPrefix} or {@link subagentPrefix}), for `key >= ? AND key < ?` queries.
 * The prefixes end in `:`, so `end` is the prefix with that `:` raised to `;`.
 */
export function sessionKeyRange(prefix: string): { start: string; end: string } {
  if (!prefix.endsWith(":")) fail(`session key prefix ${shown(prefix)} does not end in ":"`, `build it with sessionKeyPrefix() or subagentPrefix()`);
  return { start: prefix, end: `${prefix.slice(0, -1)};` };
}

/** `prefix` as a LIKE pattern with `\` as the escape character: use `LIKE ? ESCAPE '\'`. */
export function sessionKeyLikePattern(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}
