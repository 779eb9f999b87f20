/*
 * Module loader hooks (run by Node on its loader thread, registered with module.register).
 *
 * 1. Fresh module graphs on reload. A plugin's entry is imported as
 *    `file:///…/dist/index.js?aleph_gen=N&aleph_root=<plugin dir>`. Every module it imports that
 *    lives inside the plugin directory inherits that query, so the whole graph of the plugin —
 *    not only its entry — is a new set of module records for generation N.
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

/** Reports a module of a plugin generation (its URL carries aleph_gen and aleph_root). */
function reportImported(url: string): void {
  const q = url.indexOf("?");
  if (!graphPort || q < 0 || !url.startsWith("file:")) return;
  const params = new URLSearchParams(url.slice(q + 1));
  const gen = params.get("aleph_gen");
  const root = params.get("aleph_root");
  if (gen && root) graphPort.postMessage({ root, gen, file: fileURLToPath(url.slice(0, q)) });
}

function freshness(parentURL: string | undefined): { query: string; root: string } | undefined {
  if (!parentURL || !parentURL.startsWith("file:")) return undefined;
  const q = parentURL.indexOf("?");
  if (q < 0) return undefined;
  const params = new URLSearchParams(parentURL.slice(q + 1));
  const gen = params.get("aleph_gen");
  const root = params.get("aleph_root");
  if (!gen || !root) return undefined;
  return { query: `?aleph_gen=${encodeURIComponent(gen)}&aleph_root=${encodeURIComponent(root)}`, root };
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
  const fresh = freshness(context.parentURL);
  if (fresh && result.url.startsWith("file:") && !result.url.includes("?")) {
    const file = fileURLToPath(result.url);
    if (file.startsWith(fresh.root.endsWith(sep) ? fresh.root : fresh.root + sep)) {
      reportImported(result.url + fresh.query);
      return { ...result, url: result.url + fresh.query, shortCircuit: true };
    }
  }
  reportImported(result.url); // the entry itself arrives with its query already
  return result;
}
