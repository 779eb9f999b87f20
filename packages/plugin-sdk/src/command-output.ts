/*
 * Output helpers for command handlers (`aleph <command>`): the kernel's own commands and every
 * plugin's print tables and JSON the same way.
 */

/** Lays out rows as aligned columns (ANSI colour codes take no width). */
export function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, visibleLength(cell))));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell + " ".repeat(widths[i]! - visibleLength(cell)))).join("  ").trimEnd()).join("\n") + "\n";
}

function visibleLength(text: string): number {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, "").length;
}

/** Pretty JSON with a final newline: what every `--json` prints. */
export function json(value: unknown): string {
  return JSON.stringify(value, null, 2) + "\n";
}

/** "1 message", "3 messages". */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
