import { AlephError, contentText, parseSessionKey, plural, printable, sessionsRef, type CommandInput, type ServiceCaller, type SessionMessage, type SessionsService } from "@aleph/plugin-sdk";

/*
 * What the `aleph sessions …` handlers share. Keys are checked here first (parseSessionKey, the
 * service's own rule), so a typo fails before any kernel is reached, with the same message either way.
 */

/** The `<key>` argument, checked (ALEPH_E_SESSION_KEY saying what is wrong). */
export function keyArg(cmd: CommandInput): string {
  const key = cmd.args.key as string;
  parseSessionKey(key);
  return key;
}

/** The sessions service of the kernel the command runs against. */
export function sessionsOf(cmd: CommandInput): ServiceCaller<SessionsService> {
  return cmd.kernel.service(sessionsRef);
}

export function notFound(key: string): AlephError {
  return new AlephError("ALEPH_E_NOT_FOUND", `no session "${key}"`, { fix: "check the key with `aleph sessions list`" });
}

/** The audit entry of a command's change to sessions.db (written by `audited`, whatever the outcome). */
export function auditEntry(action: string, target: string): { actor: string; action: string; target: string } {
  return { actor: "cli", action, target };
}

/** `#seq role: content`, with the name (`tool(search)`) and a compaction summary's range when there are. */
export function messageLine(message: SessionMessage): string {
  const who = `${message.role}${message.name !== undefined ? `(${printable(message.name)})` : ""}`;
  const summary = message.summaryOf ? ` [summary of #${message.summaryOf.from}–#${message.summaryOf.to}, ${plural(message.summaryOf.count, "message")}]` : "";
  return `#${message.seq} ${who}${summary}: ${contentText(message.content)}\n`;
}
