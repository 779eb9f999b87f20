import { CommandUsageError, type CommandInput, type ServiceCaller } from "@aleph/plugin-sdk/core";
import { mcpRef, type McpService } from "../service.js";

/* What the `aleph mcp …` handlers share. */

/** The mcp service of the kernel the command runs against. */
export function mcpOf(cmd: CommandInput): ServiceCaller<McpService> {
  return cmd.kernel.service(mcpRef);
}

/** `--wait <seconds>` as milliseconds (the declaration bounds it to 0–120, default 5). */
export function waitMs(cmd: CommandInput): number {
  const seconds = cmd.options.wait;
  return typeof seconds === "number" ? Math.round(seconds * 1000) : 5000;
}

/** A positional argument that must be there. */
export function argument(cmd: CommandInput, name: string): string {
  const value = cmd.args[name];
  const text = (Array.isArray(value) ? value.join(" ") : (value ?? "")).trim();
  if (!text) throw new CommandUsageError(`give the ${name}`);
  return text;
}

/** One line of a table cell: control characters and newlines out, long text cut. */
export function cell(text: string, max = 120): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, " ").replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Like cell, but cut in the middle: the end of a command line or URL says the most. */
export function middle(text: string, max: number): string {
  const flat = cell(text, Number.MAX_SAFE_INTEGER);
  if (flat.length <= max) return flat;
  const head = Math.ceil((max - 1) / 3);
  return `${flat.slice(0, head)}…${flat.slice(flat.length - (max - 1 - head))}`;
}
