import { AlephError, audited, plural, printable, type CommandInput } from "@aleph/plugin-sdk";
import { auditEntry, keyArg, sessionsOf } from "./command-support.js";

/** `aleph sessions rm <key> [--purge]`: archive (kept, the key starts afresh), or delete for good. */
export async function rmCommand(cmd: CommandInput): Promise<number> {
  const { options, out } = cmd;
  const key = keyArg(cmd);
  const sessions = sessionsOf(cmd);
  if (options.purge !== true) {
    const info = await audited(cmd.paths.root, auditEntry("sessions.archive", key), () => sessions.archive(key));
    out(`Archived session ${printable(key)} (${plural(info.messageCount, "message")}, archived at ${info.archivedAt}): it is kept and listed by \`aleph sessions list --archived\`; the key starts afresh.\n`);
    out(`Delete it for good with \`aleph sessions rm ${key} --purge\`.\n`);
    return 0;
  }
  const { live, count } = await audited(cmd.paths.root, auditEntry("sessions.purge", key), async () => {
    const live = await sessions.get(key);
    const count = await sessions.delete(key, { archived: true });
    return { live, count };
  });
  if (count === 0) throw new AlephError("ALEPH_E_NOT_FOUND", `no session "${key}", live or archived: nothing was deleted`, { fix: "check the key with `aleph sessions list` (and --archived)" });
  const archived = count - (live ? 1 : 0);
  const parts = [...(live ? [`the live session (${plural(live.messageCount, "message")})`] : []), ...(archived > 0 ? [plural(archived, "archived session")] : [])];
  out(`Deleted session ${printable(key)} permanently: ${parts.join(" and ")}.\n`);
  return 0;
}
