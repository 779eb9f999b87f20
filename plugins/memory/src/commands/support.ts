import { CommandUsageError, memoryRef, printable, timeText, type CommandInput, type Fact, type FactFilter, type MemoryService, type ServiceCaller } from "@aleph/plugin-sdk";

/* What the `aleph memory …` handlers share. */

/** The memory service of the kernel the command runs against. */
export function memoryOf(cmd: CommandInput): ServiceCaller<MemoryService> {
  return cmd.kernel.service(memoryRef);
}

/** `--agent`, default main. */
export function agentOption(cmd: CommandInput): string {
  const agent = cmd.options.agent;
  if (agent === undefined) return "main";
  if (typeof agent !== "string" || !/^[a-z0-9][a-z0-9_-]{0,63}$/.test(agent)) throw new CommandUsageError(`--agent "${String(agent)}" is not an agent id (lowercase letters, digits, - and _)`);
  return agent;
}

/** `--tags a,b` as a list (empty entries dropped). */
export function tagsOption(cmd: CommandInput): string[] | undefined {
  const tags = cmd.options.tags;
  if (typeof tags !== "string") return undefined;
  const list = tags.split(",").map((t) => t.trim()).filter(Boolean);
  if (list.length === 0) throw new CommandUsageError("--tags takes tags separated by commas, e.g. --tags family,travel");
  return list;
}

/** --scope, --category and --tags as a filter. */
export function filterOptions(cmd: CommandInput): FactFilter {
  const tags = tagsOption(cmd);
  return {
    ...(typeof cmd.options.scope === "string" ? { scope: cmd.options.scope } : {}),
    ...(typeof cmd.options.category === "string" ? { category: cmd.options.category } : {}),
    ...(tags ? { tags } : {}),
  };
}

/** A positional that takes the rest of the words (`memory add the user likes tea`) as one text. */
export function textArg(cmd: CommandInput, name: string): string {
  const value = cmd.args[name];
  const text = (Array.isArray(value) ? value.join(" ") : (value ?? "")).trim();
  if (text.length === 0) throw new CommandUsageError(`give the ${name}`);
  return text;
}

/** A time given as ISO 8601 or epoch milliseconds, for `option`. */
export function parseTime(value: unknown, option: string): number {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  const text = String(value).trim();
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(ms)) throw new CommandUsageError(`${option} "${text}" is not a time: give ISO 8601 (2026-03-01 or 2026-03-01T10:00:00Z) or epoch milliseconds`);
  return ms;
}

/** One fact as a line of a listing. */
export function factLine(fact: Fact, score?: number): string {
  const flags = [fact.pinned ? "pinned" : "", fact.evergreen ? "evergreen" : "", fact.tags.length > 0 ? `#${fact.tags.join(" #")}` : ""].filter(Boolean).join(" ");
  const head = `${fact.id}  ${timeText(fact.createdAt).slice(0, 10)}${score === undefined ? "" : `  ${score.toFixed(3)}`}`;
  return `${head}  ${printable(fact.text.replace(/\s+/g, " "))}${flags ? `  (${printable(flags)})` : ""}\n`;
}
