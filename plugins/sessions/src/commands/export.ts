import { resolve } from "node:path";
import { AlephError, CommandUsageError, errorMessage, plural, printable, writeFileAtomic, type CommandInput } from "@aleph/plugin-sdk";
import { keyArg, sessionsOf } from "./command-support.js";

/** `aleph sessions export <key> [--archived-at MS] [--out file]` */
export async function exportCommand(cmd: CommandInput): Promise<number> {
  const { options, out, cwd } = cmd;
  const key = keyArg(cmd);
  const archivedAt = typeof options["archived-at"] === "number" ? options["archived-at"] : undefined;
  const file = typeof options.out === "string" ? options.out : undefined;
  if (file === "") throw new CommandUsageError("--out takes a file name");
  const text = await sessionsOf(cmd).export(key, archivedAt === undefined ? {} : { archivedAt });
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
}
