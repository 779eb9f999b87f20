import { resolve } from "node:path";
import { createWriteStream } from "node:fs";
import { rename } from "node:fs/promises";
import { AlephError, errorMessage, json, plural, progressBar, readTextInput, type CommandInput, type Fact } from "@aleph/plugin-sdk";
import { exportLine, parseImport } from "./import-file.js";
import { memoryOf } from "./support.js";

/* `aleph memory import <file.jsonl>` and `aleph memory export`. */

/** Facts sent per call: one embedding batch and one table write each. */
const IMPORT_BATCH = 1_000;

export async function importCommand(cmd: CommandInput): Promise<number> {
  const { text, source } = await readTextInput(cmd, cmd.args.file as string, "memory import");
  const parsed = parseImport(text, source);
  const memory = memoryOf(cmd);
  const counts = { added: 0, duplicate: 0, merged: 0 };
  const bar = progressBar({ label: "Importing", write: cmd.err, tty: Boolean(process.stderr.isTTY) && cmd.options.json !== true });
  for (let i = 0; i < parsed.facts.length; i += IMPORT_BATCH) {
    const batch = parsed.facts.slice(i, i + IMPORT_BATCH);
    for (const result of await memory.addMany(batch.map((f) => f.input))) counts[result.outcome]++;
    bar.update(Math.min(parsed.facts.length, i + batch.length), parsed.facts.length);
  }
  // The indexes (full-text, vector) cover every imported row before the command returns.
  await memory.optimize();
  if (cmd.options.json === true) {
    cmd.out(json({ lines: parsed.lines, ...counts, skipped: parsed.skipped }));
  } else {
    bar.done();
    for (const s of parsed.skipped) cmd.err(`${source}:${s.line}: skipped: ${s.error}\n`);
    cmd.out(`Imported ${plural(parsed.facts.length, "fact")} from ${source}: ${counts.added} added, ${counts.duplicate} duplicate, ${counts.merged} merged${parsed.skipped.length > 0 ? `; ${plural(parsed.skipped.length, "bad line")} skipped` : ""}\n`);
  }
  return parsed.skipped.length > 0 ? 1 : 0;
}

export async function exportCommand(cmd: CommandInput): Promise<number> {
  const options = {
    ...(typeof cmd.options.agent === "string" ? { agentId: cmd.options.agent } : {}),
    ...(cmd.options["include-forgotten"] === true ? { includeForgotten: true } : {}),
  };
  const pages = cmd.kernel.stream("memory", "exportFacts", [options], { signal: cmd.signal }) as AsyncIterable<Fact[]>;
  const file = typeof cmd.options.out === "string" ? resolve(cmd.cwd, cmd.options.out) : undefined;
  if (file === undefined) {
    for await (const page of pages) cmd.out(page.map((f) => `${exportLine(f)}\n`).join(""));
    return 0;
  }
  // Streamed to a temporary file, renamed over the target when complete: never a half file.
  const temp = `${file}.${process.pid}.tmp`;
  let count = 0;
  try {
    const stream = createWriteStream(temp, { mode: 0o600 });
    for await (const page of pages) {
      count += page.length;
      if (!stream.write(page.map((f) => `${exportLine(f)}\n`).join(""))) await new Promise<void>((r) => stream.once("drain", () => r()));
    }
    await new Promise<void>((done, fail) => stream.end((error?: Error | null) => (error ? fail(error) : done())));
    await rename(temp, file);
  } catch (error) {
    throw new AlephError("ALEPH_E_USAGE", `cannot write ${file}: ${errorMessage(error)}`, { fix: "check that the directory exists and is writable" });
  }
  cmd.out(`Exported ${plural(count, "fact")} to ${file}\n`);
  return 0;
}
