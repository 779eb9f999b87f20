import { relative } from "node:path";
import { AlephError, errorMessage, excerptOf, locateSyntaxError } from "@aleph/plugin-sdk";

/*
 * The failures of importing a Node plugin's entry, each saying what went wrong, the file it
 * concerns and how to fix it (the kernel's host-failures.ts holds every other failure the host
 * records). Messages are part of what users read and tests match: change them here.
 */

export function noDefaultExport(id: string, file: string): AlephError {
  return new AlephError("ALEPH_E_ENTRY", `entry of plugin "${id}" has no default export with a setup function`, {
    file,
    fix: "export default definePlugin({ setup(ctx) { … } }) from the entry",
  });
}

export function tsxUnavailable(entry: string, error: unknown): AlephError {
  return new AlephError("ALEPH_E_ENTRY", `cannot load tsx to run the TypeScript entry ${entry}: ${errorMessage(error)}`, {
    file: entry,
    fix: 'reinstall Aleph (tsx is a dependency of @aleph/node-host), or build the plugin and set [plugin] entry = "dist/index.js"',
    cause: error,
  });
}

export function importTimeout(id: string, file: string, within: string): AlephError {
  return new AlephError("ALEPH_E_TIMEOUT", `importing plugin "${id}" ${within}`, {
    file,
    fix: "remove long-running top-level code (top-level await) from the entry; do the work in setup",
  });
}

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
