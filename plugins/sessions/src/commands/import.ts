import { AlephError, audited, isAlephError, plural, printable, readTextInput, type CommandInput, type SessionInfo } from "@aleph/plugin-sdk";
import { auditEntry, sessionsOf } from "./command-support.js";

/** The key in an export's header line, when it has a readable one (the service checks everything else). */
function headerKey(text: string): string | undefined {
  try {
    const end = text.indexOf("\n");
    const header = JSON.parse(end >= 0 ? text.slice(0, end) : text) as { key?: unknown };
    return typeof header.key === "string" ? header.key : undefined;
  } catch {
    return undefined;
  }
}

/** `aleph sessions import <file|-> [--replace]` */
export async function importCommand(cmd: CommandInput): Promise<number> {
  const { options, out } = cmd;
  const file = cmd.args.file as string;
  const { text, source } = await readTextInput(cmd, file, "the export to import");
  const replace = options.replace === true;
  const key = headerKey(text);
  const sessions = sessionsOf(cmd);
  const { info, previous } = await audited(cmd.paths.root, auditEntry("sessions.import", key ?? source), async () => {
    // Only to say what --replace did; a bad key is reported by the import itself.
    const previous: SessionInfo | undefined = replace && key !== undefined ? await sessions.get(key).catch(() => undefined) : undefined;
    try {
      return { info: await sessions.import(text, { replace }), previous };
    } catch (error) {
      // A bad line: name the file too, so the message reads file:line.
      if (!isAlephError(error) || file === "-") throw error;
      const { code, message, fix, line } = error as AlephError;
      if (line === undefined) throw error;
      throw new AlephError(code, message, { file: source, line, ...(fix === undefined ? {} : { fix }) });
    }
  });
  out(`Imported session ${printable(info.key)} from ${source}: ${plural(info.messageCount, "message")}, last seq ${info.lastSeq}\n`);
  if (previous) {
    out(`The live session it replaced (${plural(previous.messageCount, "message")}) was archived: see \`aleph sessions list --archived --prefix ${info.key}\`\n`);
  }
  return 0;
}
