import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { ProtocolsService, ProtocolValidation } from "@aleph/plugin-sdk";
import type { ProtocolRegistry } from "./protocols/registry.js";
import { runtimeModule } from "./runtime-module.js";

/** The `protocols` service: what providers may name, and a validator for a file not yet installed. */
export function createProtocolsService(registry: ProtocolRegistry): ProtocolsService {
  return {
    list: () => registry.list(),
    async validate(file: string): Promise<ProtocolValidation> {
      const path = resolve(file);
      let text: string;
      try {
        text = await readFile(path, "utf8");
      } catch (error) {
        return { file: path, issues: [{ file: path, message: `cannot read it: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` }] };
      }
      const { parseProtocolFile } = await runtimeModule();
      const parsed = await parseProtocolFile(text, path);
      return parsed.ok ? { file: path, protocol: { name: parsed.protocol.name, base: parsed.protocol.extends }, issues: [] } : { file: path, issues: parsed.issues };
    },
  };
}
