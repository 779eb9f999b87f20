import { relative } from "node:path";
import { AlephError, errorMessage } from "@aleph/plugin-sdk";
import { excerptOf, locateSyntaxError } from "./syntax-location.js";

/**
 * The ALEPH_E_IMPORT error for an entry whose import threw. A syntax error names the file, line
 * and column and quotes the offending line, like a TOML parse error does; the file is the one
 * that does not compile, which can be a module the entry imports (for a TypeScript entry, where
 * esbuild stopped).
 */
export async function importFailure(pluginId: string, error: unknown, entry: string, root: string): Promise<AlephError> {
  const where = await locateSyntaxError(error, entry, root).catch(() => undefined);
  if (!where) {
    return new AlephError("ALEPH_E_IMPORT", `plugin "${pluginId}" threw while its entry was imported: ${errorMessage(error)}`, {
      file: entry,
      fix: "fix the error in the plugin's code (run it with node to see the stack)",
      cause: error,
    });
  }
  const shown = relative(root, where.file);
  const path = shown && !shown.startsWith("..") ? shown : where.file;
  const at = `${path}:${where.line}:${where.column}`;
  const excerpt = where.source.trim() ? `, in: ${excerptOf(where)}` : "";
  return new AlephError("ALEPH_E_IMPORT", `plugin "${pluginId}" has a syntax error at ${at}: ${where.message ?? errorMessage(error)}${excerpt}`, {
    file: where.file,
    line: where.line,
    fix: `correct the code at ${at}`,
    cause: error,
  });
}
