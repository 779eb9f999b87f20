export { table, json } from "@aleph/plugin-sdk";

/** Colour only on a TTY and never with NO_COLOR (https://no-color.org). */
export function useColor(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv): boolean {
  return Boolean(stream.isTTY) && env.NO_COLOR === undefined && env.TERM !== "dumb";
}

export function paint(enabled: boolean, code: string, text: string): string {
  return enabled ? `\u001b[${code}m${text}\u001b[0m` : text;
}

/** A plugin status, coloured: green active, red failed, grey otherwise. */
export function statusMark(color: boolean, status: string): string {
  return paint(color, status === "active" ? "32" : status === "failed" ? "31" : "90", status);
}
