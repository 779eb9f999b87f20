import { resolve } from "node:path";
import {
  AlephError,
  errorMessage,
  isAlephError,
  parseSessionKey,
  SESSION_ROLES,
  writeFileAtomic,
  type SessionAppendResult,
  type SessionInfo,
  type SessionListFilter,
  type SessionMessage,
  type SessionMessageInput,
  type SessionRole,
} from "@aleph/plugin-sdk";
import { resolvePaths } from "@aleph/kernel";
import { audited } from "../audited.js";
import { UsageError, type Command, type CommandContext } from "../command.js";
import { CONTENT_OPTIONS, contentOption, contentText, integerOption, onePositional, printable, readTextInput, stringOption, timeText } from "../message-args.js";
import { json, table } from "../output.js";
import { withService, type ServiceCaller } from "../service-call.js";

/*
 * `aleph sessions …`: the bundled `sessions` plugin's service (sessions.db), through the running
 * kernel when there is one, else through a kernel started in this process for the command.
 * Keys are checked here first (parseSessionKey, the service's own rule), so a typo fails at once
 * with the same message either way.
 */

/** The documented maxima of the service (SessionHistoryOptions.limit, SessionListFilter.limit). */
const MAX_HISTORY_LIMIT = 10_000;
const MAX_LIST_LIMIT = 100_000;
const DEFAULT_SHOW_LIMIT = 20;

const KEY_FORMS = "agent:<id>:main, agent:<id>:<channel>:dm:<peer>, agent:<id>:<channel>:group:<id>, agent:<id>:cron:<job>, subagent:agent:<id>:<name>";

/** The one session key a command takes, checked. */
function oneKey(args: string[]): string {
  const key = onePositional(args, "a session key");
  parseSessionKey(key);
  return key;
}

function sessions<T>(ctx: CommandContext, work: (call: ServiceCaller) => Promise<T>): Promise<T> {
  return withService(resolvePaths({ env: ctx.env, cwd: ctx.cwd }), ctx.env, ctx.cwd, "sessions", work);
}

function notFound(key: string): AlephError {
  return new AlephError("ALEPH_E_NOT_FOUND", `no session "${key}"`, { fix: "check the key with `aleph sessions list`" });
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** `#seq role: content`, with the name (`tool(search)`) and a compaction summary's range when there are. */
function messageLine(message: SessionMessage): string {
  const who = `${message.role}${message.name !== undefined ? `(${printable(message.name)})` : ""}`;
  const summary = message.summaryOf ? ` [summary of #${message.summaryOf.from}–#${message.summaryOf.to}, ${plural(message.summaryOf.count, "message")}]` : "";
  return `#${message.seq} ${who}${summary}: ${contentText(message.content)}\n`;
}

export const sessionsListCommand: Command = {
  name: "sessions list",
  summary: "List sessions (key, messages, tokens, last update), most recently updated first",
  details: [
    "Filters combine: --agent main --channel telegram lists main's telegram sessions.",
    "--prefix takes the start of a key (agent:main: or agent:main:telegram:dm:).",
    "With --archived, archived sessions instead, with the time each was archived (its --archived-at for `sessions export`).",
  ].join("\n"),
  options: {
    agent: { type: "string", value: "id", description: "Only this agent's sessions" },
    channel: { type: "string", value: "name", description: "Only this channel's sessions (main, cron, or a channel name)" },
    prefix: { type: "string", value: "keyPrefix", description: "Only keys starting with this" },
    archived: { type: "boolean", description: "List archived sessions instead of live ones" },
    limit: { type: "string", value: "N", description: "At most N sessions (default 1000)" },
    json: { type: "boolean", description: "Print JSON: [SessionInfo] ({key, kind, agentId, channel, createdAt, updatedAt, messageCount, tokenCount, lastSeq, lastCompaction, archivedAt})" },
  },
  async run(ctx) {
    const { args, options, out } = ctx;
    if (args.length > 0) throw new UsageError("takes no arguments (filter with --agent, --channel or --prefix)");
    const filter: SessionListFilter = {};
    const agent = stringOption(options, "agent");
    const channel = stringOption(options, "channel");
    const prefix = stringOption(options, "prefix");
    const limit = integerOption(options, "limit", { min: 1, max: MAX_LIST_LIMIT });
    if (agent !== undefined) filter.agentId = agent;
    if (channel !== undefined) filter.channel = channel;
    if (prefix !== undefined) {
      if (prefix === "") throw new UsageError("--prefix takes the start of a key, such as agent:main:");
      filter.prefix = prefix;
    }
    if (options.archived) filter.archived = true;
    if (limit !== undefined) filter.limit = limit;
    const list = await sessions(ctx, (call) => call<SessionInfo[]>("list", filter));
    if (options.json) out(json(list));
    else if (list.length === 0) out(options.archived ? "No archived sessions.\n" : "No sessions.\n");
    else {
      const header = ["KEY", "MESSAGES", "TOKENS", "UPDATED", ...(options.archived ? ["ARCHIVED-AT"] : [])];
      const rows = list.map((s) => [printable(s.key), String(s.messageCount), String(s.tokenCount), timeText(s.updatedAt), ...(options.archived ? [String(s.archivedAt)] : [])]);
      out(table([header, ...rows]));
    }
    return 0;
  },
};

export const sessionsShowCommand: Command = {
  name: "sessions show",
  args: "<key>",
  summary: "Show a session's header and its last messages",
  details: [
    `Messages print as \`#seq role: content\` (content as text when it is a string, else compact JSON), oldest first.`,
    `Page backwards with --before: \`aleph sessions show agent:main:main --before 120\` shows the ones before #120.`,
    `Keys: ${KEY_FORMS}.`,
  ].join("\n"),
  options: {
    limit: { type: "string", value: "N", description: `The last N messages (default ${DEFAULT_SHOW_LIMIT}, at most ${MAX_HISTORY_LIMIT})` },
    before: { type: "string", value: "SEQ", description: "Only messages before this seq" },
    json: { type: "boolean", description: "Print JSON: {session: SessionInfo, messages: [SessionMessage]}" },
  },
  async run(ctx) {
    const { args, options, out } = ctx;
    const key = oneKey(args);
    const limit = integerOption(options, "limit", { min: 1, max: MAX_HISTORY_LIMIT }) ?? DEFAULT_SHOW_LIMIT;
    const before = integerOption(options, "before", { min: 0 });
    // One more than asked for says whether older messages remain.
    const probe = Math.min(limit + 1, MAX_HISTORY_LIMIT);
    const { session, history } = await sessions(ctx, async (call) => {
      const session = await call<SessionInfo | undefined>("get", key);
      if (!session) throw notFound(key);
      const history = await call<SessionMessage[]>("history", key, before === undefined ? { limit: probe } : { limit: probe, before });
      return { session, history };
    });
    const messages = history.length > limit ? history.slice(history.length - limit) : history;
    if (options.json) {
      out(json({ session, messages }));
      return 0;
    }
    out(`${printable(session.key)} · kind ${session.kind} · agent ${session.agentId}${session.channel === null ? "" : ` · channel ${session.channel}`}\n`);
    out(
      `${plural(session.messageCount, "message")} · ${session.tokenCount} tokens · last seq ${session.lastSeq} · created ${timeText(session.createdAt)} · updated ${timeText(session.updatedAt)}` +
        `${session.lastCompaction !== null ? ` · compacted ${timeText(session.lastCompaction)}` : ""}\n`,
    );
    if (messages.length === 0) {
      out(before === undefined ? "(no messages)\n" : `(no messages before #${before})\n`);
      return 0;
    }
    // At the service's maximum there is no room to probe: a full page may have older messages before it.
    const older = probe > limit ? history.length > limit : history.length === limit && messages[0]!.seq > 1;
    if (older) out(`… older messages: aleph sessions show ${key} --before ${messages[0]!.seq}\n`);
    for (const message of messages) out(messageLine(message));
    return 0;
  },
};

export const sessionsAppendCommand: Command = {
  name: "sessions append",
  args: "<key>",
  summary: "Append a message to a session (created when new) and print its seq",
  details: [
    "For scripts: prints the seq of the stored message. The content is text, or with --json-content any JSON value:",
    "",
    "  aleph sessions append agent:main:main --role user --content 'hello'",
    `  aleph sessions append agent:main:main --role tool --json-content --content '{"result":42}'`,
    "",
    "With --id, appending the same id again to the session stores nothing and prints the seq stored the first time.",
    `Roles: ${SESSION_ROLES.join(", ")}. Keys: ${KEY_FORMS}.`,
  ].join("\n"),
  options: {
    role: { type: "string", value: SESSION_ROLES.join("|"), description: "Who said it (required)" },
    ...CONTENT_OPTIONS,
    id: { type: "string", value: "idempotencyId", description: "An id unique in the session: the same id is stored once" },
    json: { type: "boolean", description: "Print JSON: {message: SessionMessage, session: SessionInfo}" },
  },
  async run(ctx) {
    const { args, options, out } = ctx;
    const key = oneKey(args);
    const role = stringOption(options, "role");
    if (role === undefined) throw new UsageError(`--role is required (${SESSION_ROLES.join(", ")})`);
    if (!(SESSION_ROLES as readonly string[]).includes(role)) throw new UsageError(`--role takes ${SESSION_ROLES.join(", ")}, not "${role}"`);
    const message: SessionMessageInput = { role: role as SessionRole, content: await contentOption(ctx) };
    const id = stringOption(options, "id");
    if (id !== undefined) message.id = id;
    const result = await sessions(ctx, (call) => call<SessionAppendResult>("append", key, message));
    const stored = result.messages[0]!;
    out(options.json ? json({ message: stored, session: result.session }) : `${stored.seq}\n`);
    return 0;
  },
};

export const sessionsExportCommand: Command = {
  name: "sessions export",
  args: "<key>",
  summary: "Write a session as JSONL (a header line, then one line per message) to stdout or a file",
  details: [
    "The output is what `aleph sessions import` reads back: messages keep their seq, time and tokens.",
    "--archived-at exports an archived session (its time from `aleph sessions list --archived`).",
  ].join("\n"),
  options: {
    "archived-at": { type: "string", value: "MS", description: "Export the archived session archived at this time (ms since the epoch)" },
    out: { type: "string", value: "file", description: "Write to this file (atomically) instead of stdout" },
  },
  async run(ctx) {
    const { args, options, out, cwd } = ctx;
    const key = oneKey(args);
    const archivedAt = integerOption(options, "archived-at", { min: 0 });
    const file = stringOption(options, "out");
    if (file === "") throw new UsageError("--out takes a file name");
    const text = await sessions(ctx, (call) => call<string>("export", key, archivedAt === undefined ? {} : { archivedAt }));
    if (file === undefined) {
      out(text);
      return 0;
    }
    const path = resolve(cwd, file);
    try {
      await writeFileAtomic(path, text);
    } catch (error) {
      throw new AlephError("ALEPH_E_USAGE", `cannot write ${path}: ${errorMessage(error).replace(/, open .*$/, "")}`, { fix: "check that the directory exists and is writable" });
    }
    const count = text.split("\n").filter((line) => line !== "").length - 1;
    out(`Exported ${archivedAt === undefined ? "session" : `archived session (archived at ${archivedAt})`} ${printable(key)}: ${plural(count, "message")} to ${path}\n`);
    return 0;
  },
};

/** The key in an export's header line, when it has a readable one (the service checks everything else). */
function headerKey(text: string): string | undefined {
  try {
    const header = JSON.parse(text.slice(0, text.indexOf("\n") >= 0 ? text.indexOf("\n") : undefined)) as { key?: unknown };
    return typeof header.key === "string" ? header.key : undefined;
  } catch {
    return undefined;
  }
}

export const sessionsImportCommand: Command = {
  name: "sessions import",
  args: "<file>",
  summary: "Re-create a session from `aleph sessions export` output (a file, or - for stdin)",
  details: [
    "Every line is checked before anything is written; a bad line is reported with its number.",
    "A live session with the same key is left alone (exit 1) unless --replace archives it first.",
  ].join("\n"),
  options: { replace: { type: "boolean", description: "Archive a live session of the same key first, then import" } },
  async run(ctx) {
    const { args, options, out, cwd, env } = ctx;
    const file = onePositional(args, "a file (or - for stdin)");
    const { text, source } = await readTextInput(ctx, file, "the export to import");
    const replace = Boolean(options.replace);
    const key = headerKey(text);
    const paths = resolvePaths({ env, cwd });
    const { info, previous } = await audited(paths.root, "sessions.import", key ?? source, () =>
      sessions(ctx, async (call) => {
        // Only to say what --replace did; a bad key is reported by the import itself.
        const previous = replace && key !== undefined ? await call<SessionInfo | undefined>("get", key).catch(() => undefined) : undefined;
        try {
          return { info: await call<SessionInfo>("import", text, { replace }), previous };
        } catch (error) {
          // A bad line: name the file too, so the message reads file:line.
          if (!isAlephError(error) || file === "-") throw error;
          const { code, message, fix, line } = error as AlephError;
          if (line === undefined) throw error;
          throw new AlephError(code, message, { file: source, line, ...(fix === undefined ? {} : { fix }) });
        }
      }),
    );
    out(`Imported session ${printable(info.key)} from ${source}: ${plural(info.messageCount, "message")}, last seq ${info.lastSeq}\n`);
    if (previous) {
      out(`The live session it replaced (${plural(previous.messageCount, "message")}) was archived: see \`aleph sessions list --archived --prefix ${info.key}\`\n`);
    }
    return 0;
  },
};

export const sessionsRmCommand: Command = {
  name: "sessions rm",
  args: "<key>",
  summary: "Archive a session (kept, listed with --archived; the key starts afresh), or --purge to delete it",
  details: "--purge deletes the live session and every archived session of the key, with their messages, for good.",
  options: { purge: { type: "boolean", description: "Delete the session and its archived sessions permanently instead of archiving" } },
  async run(ctx) {
    const { args, options, out, env, cwd } = ctx;
    const key = oneKey(args);
    const paths = resolvePaths({ env, cwd });
    if (!options.purge) {
      const info = await audited(paths.root, "sessions.archive", key, () => sessions(ctx, (call) => call<SessionInfo>("archive", key)));
      out(`Archived session ${printable(key)} (${plural(info.messageCount, "message")}, archived at ${info.archivedAt}): it is kept and listed by \`aleph sessions list --archived\`; the key starts afresh.\n`);
      out(`Delete it for good with \`aleph sessions rm ${key} --purge\`.\n`);
      return 0;
    }
    const { live, count } = await audited(paths.root, "sessions.purge", key, () =>
      sessions(ctx, async (call) => {
        const live = await call<SessionInfo | undefined>("get", key);
        const count = await call<number>("delete", key, { archived: true });
        return { live, count };
      }),
    );
    if (count === 0) throw new AlephError("ALEPH_E_NOT_FOUND", `no session "${key}", live or archived: nothing was deleted`, { fix: "check the key with `aleph sessions list` (and --archived)" });
    const archived = count - (live ? 1 : 0);
    const parts = [...(live ? [`the live session (${plural(live.messageCount, "message")})`] : []), ...(archived > 0 ? [plural(archived, "archived session")] : [])];
    out(`Deleted session ${printable(key)} permanently: ${parts.join(" and ")}.\n`);
    return 0;
  },
};

export const sessionsCommands: Command[] = [sessionsListCommand, sessionsShowCommand, sessionsAppendCommand, sessionsExportCommand, sessionsImportCommand, sessionsRmCommand];
