/*
 * TypeScript plugin entries without a build step (`entry = "src/index.ts"`, also .mts / .cts).
 *
 * Node 20 cannot strip types, so a .ts entry is imported through tsx's loader (esbuild compiles
 * each module as it loads). tsx is registered once, the first time a .ts entry is imported, under
 * a namespace of its own: only imports made through `importTypeScript` (and the modules they pull
 * in) are compiled, so every other plugin and the kernel load exactly as they do without it, and a
 * kernel with no .ts entry never imports tsx or esbuild at all (start-up stays what it was).
 *
 * Fresh code on reload works as for .js entries: the entry URL carries the `?aleph_gen` query and
 * the loader hooks (module-hooks.ts) pass it on to every module of the plugin, whichever
 * of the two hook sets runs first; CommonJS TypeScript (.cts, or .ts in a package without
 * "type": "module") goes through tsx's require hooks and is forgotten from require.cache.
 *
 * tsconfig.json is not read (`tsconfig: false`): tsx would take the one in the kernel's working
 * directory, which belongs to nobody's plugin. esbuild's defaults apply — type-only syntax is
 * removed, `paths` aliases and legacy decorators are not supported.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { tsxUnavailable } from "./import-failures.js";

/** The entries imported through tsx. */
const TYPESCRIPT_FILE = /\.[cm]?ts$/;

/** Whether a plugin's entry file is TypeScript source, to be imported through tsx. */
export function isTypeScriptEntry(file: string): boolean {
  return TYPESCRIPT_FILE.test(file) && !file.endsWith(".d.ts");
}

type ScopedImport = (specifier: string, parentURL: string) => Promise<unknown>;
interface TsxEsmApi {
  register(options: { namespace: string; tsconfig: false }): { import: ScopedImport };
}
interface TsxCjsApi {
  register(options: { namespace: string }): unknown;
}

/** The namespace tsx compiles under: its hooks leave every import made outside it alone. */
const NAMESPACE = "aleph-plugin";

let scopedImport: Promise<ScopedImport> | undefined;
let registrations = 0;

/** How many times tsx has been registered in this process: 0 until a .ts entry is imported, then 1. */
export function typeScriptLoaderRegistrations(): number {
  return registrations;
}

/**
 * tsx's file for one of its subpath exports (`esm/api`, `cjs/api`), found from this package:
 * tsx is @aleph/node-host's dependency, and the CLI bundles this loader into a file of its own
 * whose node_modules need not hold tsx (pnpm), so that lookup falls back to @aleph/node-host's.
 */
function tsxFile(subpath: "esm/api" | "cjs/api"): string {
  const here = createRequire(import.meta.url);
  let manifest: string;
  try {
    manifest = here.resolve("tsx/package.json");
  } catch {
    manifest = createRequire(here.resolve("@aleph/node-host")).resolve("tsx/package.json");
  }
  const pkg = JSON.parse(readFileSync(manifest, "utf8")) as { exports: Record<string, { import: { default: string } }> };
  return join(dirname(manifest), pkg.exports[`./${subpath}`]!.import.default);
}

async function registerTsx(): Promise<ScopedImport> {
  // Computed specifiers: a bundler building the CLI must not pull tsx (and esbuild) into it.
  const esm = (await import(pathToFileURL(tsxFile("esm/api")).href)) as TsxEsmApi;
  const cjs = (await import(pathToFileURL(tsxFile("cjs/api")).href)) as TsxCjsApi;
  cjs.register({ namespace: NAMESPACE });
  const api = esm.register({ namespace: NAMESPACE, tsconfig: false });
  registrations++;
  return api.import;
}

/**
 * The import function for TypeScript entries (a plugin entry's URL, with its query), registering
 * tsx on first use; ALEPH_E_ENTRY, naming the entry, when tsx cannot be loaded.
 */
export async function typeScriptImporter(entry: string): Promise<(url: string) => Promise<unknown>> {
  scopedImport ??= registerTsx().catch((error: unknown) => {
    scopedImport = undefined;
    throw error;
  });
  try {
    const load = await scopedImport;
    return (url) => load(url, import.meta.url);
  } catch (error) {
    throw tsxUnavailable(entry, error);
  }
}
