import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { PluginContext } from "@aleph/plugin-sdk";
import type { BrokenProtocol, CustomProtocol, ProtocolRegistry } from "./registry.js";
import { runtimeModule } from "../runtime-module.js";

/*
 * Custom protocols live in <root>/protocols/*.yaml (the seed's protocols/ directory). They are read
 * at setup and again whenever a file there is added, changed or removed (ctx.watch, so
 * `--no-watch` and `hot_reload = false` are honoured). A file that does not validate is listed with
 * its error and never disables the others; two files naming one protocol: the first by file name
 * wins and the other is reported.
 */

export const PROTOCOLS_DIR = "protocols";

export async function loadCustomProtocols(dir: string): Promise<{ custom: CustomProtocol[]; broken: BrokenProtocol[] }> {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
  } catch {
    return { custom: [], broken: [] };
  }
  const custom: CustomProtocol[] = [];
  const broken: BrokenProtocol[] = [];
  if (files.length === 0) return { custom, broken };
  // The parser (yaml, the file schema) is loaded only when there is a file: most workspaces have none.
  const { parseProtocolFile } = await runtimeModule();
  for (const name of files) {
    const file = join(dir, name);
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      broken.push({ name: name.replace(/\.ya?ml$/, ""), file, error: { file, message: `cannot read it: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` } });
      continue;
    }
    const parsed = await parseProtocolFile(text, file);
    if (!parsed.ok) {
      const first = parsed.issues[0]!;
      broken.push({ name: parsed.name ?? name.replace(/\.ya?ml$/, ""), file, error: first });
      continue;
    }
    const clash = custom.find((c) => c.name === parsed.protocol.name);
    if (clash) {
      broken.push({ name: parsed.protocol.name, file, error: { file, field: "name", message: `protocol "${parsed.protocol.name}" is already defined by ${clash.file}` } });
      continue;
    }
    custom.push(parsed.protocol);
  }
  return { custom, broken };
}

/** Loads the custom protocols into `registry` now, and again on every change under protocols/. */
export async function watchCustomProtocols(ctx: PluginContext<unknown>, registry: ProtocolRegistry): Promise<void> {
  const dir = join(ctx.paths.root, PROTOCOLS_DIR);
  const apply = async () => {
    const { custom, broken } = await loadCustomProtocols(dir);
    registry.setCustom(custom, broken);
    for (const b of broken) ctx.log.warn(`custom protocol not loaded: ${b.error.file}${b.error.line ? `:${b.error.line}` : ""}: ${b.error.field ? `${b.error.field}: ` : ""}${b.error.message}`);
    return { custom, broken };
  };
  await apply();
  ctx.watch(PROTOCOLS_DIR, async () => {
    const { custom, broken } = await apply();
    ctx.log.info("custom protocols reloaded", { protocols: custom.map((c) => c.name), invalid: broken.map((b) => b.file) });
  });
}
