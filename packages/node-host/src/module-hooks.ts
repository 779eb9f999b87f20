/*
 * Module loader hooks (run by Node on its loader thread, registered with module.register).
 *
 * 1. Fresh module graphs on reload. A plugin's entry is imported as
 *    `file:///…/dist/index.js?aleph_gen=N&aleph_root=<plugin dir, base64url>`. Every module it
 *    imports that lives inside the plugin directory inherits that query, so the whole graph of the
 *    plugin — not only its entry — is a new set of module records for generation N. The query is
 *    added beside one another hook put there (tsx's namespace, for a TypeScript entry: see
 *    ts-loader.ts), and holds no percent-escapes: tsx carries it into file paths of CommonJS
 *    modules, where an escaped `/` is refused.
 * 2. The host's SDK. A plugin outside this install that imports `@aleph/plugin-sdk` without
 *    bundling it, and has no copy in its own node_modules, resolves to the host's copy.
 * 3. The module graph. Every module of such a generation is reported on `graphPort` (see
 *    module-graph.ts), so the watcher reloads a plugin only for files it actually imported.
 */
import { fileURLToPath } from "node:url";
import { sep } from "node:path";
import type { MessagePort } from "node:worker_threads";

interface ResolveContext {
  parentURL?: string;
  conditions: string[];
  importAttributes?: Record<string, string>;
}
interface ResolveResult {
  url: string;
  format?: string | null;
  shortCircuit?: boolean;
}
type NextResolve = (specifier: string, context: ResolveContext) => Promise<ResolveResult>;

let hostParentURL: string | undefined;
let graphPort: MessagePort | undefined;

export async function initialize(data: { hostParentURL: string; graphPort?: MessagePort }): Promise<void> {
  hostParentURL = data.hostParentURL;
  graphPort = data.graphPort;
  graphPort?.unref();
}

/** The generation and plugin root a module URL carries (see node-loader.ts), if any. */
function generationOf(url: string): { gen: string; root: string; params: string } | undefined {
  if (!url.startsWith("file:")) return undefined;
  const q = url.indexOf("?");
  if (q < 0) return undefined;
  const hash = url.indexOf("#", q);
  const params = new URLSearchParams(url.slice(q + 1, hash < 0 ? undefined : hash));
  const gen = params.get("aleph_gen");
  const root = params.get("aleph_root");
  if (!gen || !root || !/^\d+$/.test(gen) || !/^[\w-]+$/.test(root)) return undefined;
  return { gen, root: Buffer.from(root, "base64url").toString(), params: `aleph_gen=${gen}&aleph_root=${root}` };
}

/** Reports a module of a plugin generation (its URL carries aleph_gen and aleph_root). */
function reportImported(url: string): void {
  const generation = graphPort ? generationOf(url) : undefined;
  if (!generation) return;
  let file: string;
  try {
    file = fileURLToPath(url.replace(/[?#].*$/, ""));
  } catch {
    return; // not a path (another hook's virtual URL)
  }
  graphPort!.postMessage({ root: generation.root, gen: generation.gen, file });
}

/** `url` with `params` added to its query (kept before a #fragment). */
function withParams(url: string, params: string): string {
  const hash = url.indexOf("#");
  const base = hash < 0 ? url : url.slice(0, hash);
  return `${base}${base.includes("?") ? "&" : "?"}${params}${hash < 0 ? "" : url.slice(hash)}`;
}

function isSdkSpecifier(specifier: string): boolean {
  return specifier === "@aleph/plugin-sdk" || specifier.startsWith("@aleph/plugin-sdk/");
}

export async function resolve(specifier: string, context: ResolveContext, next: NextResolve): Promise<ResolveResult> {
  let result: ResolveResult;
  try {
    result = await next(specifier, context);
  } catch (error) {
    if (isSdkSpecifier(specifier) && hostParentURL && (error as { code?: string }).code === "ERR_MODULE_NOT_FOUND") {
      return next(specifier, { ...context, parentURL: hostParentURL });
    }
    throw error;
  }
  const fresh = context.parentURL ? generationOf(context.parentURL) : undefined;
  if (fresh && result.url.startsWith("file:") && !generationOf(result.url)) {
    const file = fileURLToPath(result.url.replace(/[?#].*$/, ""));
    if (file.startsWith(fresh.root.endsWith(sep) ? fresh.root : fresh.root + sep)) {
      const url = withParams(result.url, fresh.params);
      reportImported(url);
      return { ...result, url, shortCircuit: true };
    }
  }
  reportImported(result.url); // the entry itself arrives with its query already
  return result;
}
