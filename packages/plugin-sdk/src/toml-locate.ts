/**
 * Finds the line of a key path in TOML source, so that a validation error can say where it is.
 * smol-toml reports lines for syntax errors only; schema errors arrive as key paths
 * ("gateway.port", "agents.0.id") and are mapped back to the text here. Best effort: the line of
 * the key itself, else of the nearest enclosing key or table header.
 */
export function locateTomlKey(source: string, path: ReadonlyArray<string | number>): number | undefined {
  const target = path.map(String);
  const arrayCounters = new Map<string, number>();
  let table: string[] = [];
  let best: { line: number; depth: number } | undefined;

  const consider = (full: string[], line: number) => {
    let depth = 0;
    while (depth < full.length && depth < target.length && full[depth] === target[depth]) depth++;
    // Useful lines: the target's ancestors (depth = their length), and the first line that
    // defines the target or something inside it (depth = target length, the best there is).
    if (depth !== full.length && depth !== target.length) return;
    if (!best || depth > best.depth) best = { line, depth };
  };

  const lines = source.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!.trim();
    if (text === "" || text.startsWith("#")) continue;
    const arrayHeader = /^\[\[(.+)\]\]\s*(#.*)?$/.exec(text);
    const header = arrayHeader ? undefined : /^\[(.+)\]\s*(#.*)?$/.exec(text);
    if (arrayHeader) {
      const base = splitKey(arrayHeader[1]!);
      const key = base.join(".");
      const index = arrayCounters.get(key) ?? 0;
      arrayCounters.set(key, index + 1);
      table = [...base, String(index)];
      consider(table, i + 1);
      continue;
    }
    if (header) {
      table = resolveArrayIndices(splitKey(header[1]!), arrayCounters);
      consider(table, i + 1);
      continue;
    }
    const eq = findAssignment(text);
    if (eq > 0) consider([...table, ...splitKey(text.slice(0, eq))], i + 1);
  }
  return best?.line;
}

/** A sub-table of an array of tables ([fruits.physical] after [[fruits]]) belongs to its last element. */
function resolveArrayIndices(parts: string[], counters: Map<string, number>): string[] {
  const out: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    out.push(parts[i]!);
    const count = counters.get(parts.slice(0, i + 1).join("."));
    if (count !== undefined && i < parts.length - 1) out.push(String(count - 1));
  }
  return out;
}

/** Index of the `=` that ends the key, ignoring `=` inside quoted key parts. */
function findAssignment(text: string): number {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "=") return i;
  }
  return -1;
}

/** Splits a dotted TOML key into its parts, honouring quoted parts. */
export function splitKey(key: string): string[] {
  const parts: string[] = [];
  let current = "";
  let quote: string | undefined;
  for (const c of key.trim()) {
    if (quote) {
      if (c === quote) quote = undefined;
      else current += c;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === ".") {
      parts.push(current.trim());
      current = "";
    } else current += c;
  }
  parts.push(current.trim());
  return parts;
}
