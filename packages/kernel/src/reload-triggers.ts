import { join, relative, resolve, sep } from "node:path";
import { MANIFEST_FILE_NAMES } from "@aleph/plugin-sdk";

/** What a running plugin loaded from its directory. */
export interface LoadedFiles {
  /** The plugin directory as the watcher names it, and its real path. */
  dir: string;
  realDir: string;
  /** The manifest's `entry`, relative to the directory. */
  entry: string;
  /**
   * Real paths of every file the running generation imported (its module graph); undefined when
   * the loader did not record one (a first import made before the loader hooks ran).
   */
  modules?: ReadonlySet<string>;
}

/** Files Node can load as a module (or a plugin as its .wasm), for a generation without a recorded graph. */
const LOADABLE = /\.(m?js|cjs|json|node|wasm)$/;
/**
 * TypeScript source, not declarations: what a plugin with a TypeScript entry (run through tsx by
 * @aleph/node-host) loads besides, and what makes an entry one.
 */
const LOADABLE_TYPESCRIPT = /(?<!\.d)\.[cm]?ts$/;

/**
 * Whether a changed path can alter what a running plugin loads: the plugin directory itself
 * (added, removed), its manifest, its entry, a module of its graph, or a directory holding one
 * (a `dist/` moved away). Sources and build inputs (`src/*.ts` beside a `dist/index.js` entry),
 * READMEs, tests are not: saving them must not reload the old build — the build's output does.
 * Without a recorded graph, any file Node could load as a module counts, and TypeScript files
 * when the entry is one.
 */
export function touchesLoadedCode(loaded: LoadedFiles, path: string): boolean {
  if (path === loaded.dir || path === loaded.realDir) return true;
  const rel = relative(path.startsWith(loaded.realDir + sep) ? loaded.realDir : loaded.dir, path);
  if ((MANIFEST_FILE_NAMES as readonly string[]).includes(rel)) return true;
  if (resolve(loaded.dir, loaded.entry) === join(loaded.dir, rel)) return true;
  if (!loaded.modules) {
    // A source (.ts) beside a built entry, a README or a source map is not code Node runs.
    return LOADABLE.test(path) || (LOADABLE_TYPESCRIPT.test(loaded.entry) && LOADABLE_TYPESCRIPT.test(path));
  }
  const real = join(loaded.realDir, rel);
  if (loaded.modules.has(real)) return true;
  const inside = real + sep;
  for (const file of loaded.modules) if (file.startsWith(inside)) return true;
  return false;
}
