import { dirname, isAbsolute, relative, resolve, sep } from "node:path";
import type { FSWatcher } from "chokidar";

/** Resolves once chokidar has finished scanning what `add(roots)` asked for. */
export type ScanWait = (roots: readonly string[]) => Promise<void>;

type StepName = "_addToNodeFs" | "_handleRead";
type Step = (...args: unknown[]) => Promise<unknown> | undefined;
type Handler = Partial<Record<StepName, Step>>;
interface Work {
  name: StepName;
  /** The path the step works on. */
  path: string;
}

/**
 * Lets the caller wait until chokidar has scanned paths given to `add()` on a running instance.
 *
 * chokidar (5.0.0, like v4) has no event for that: `add()` returns the instance at once
 * (index.js:347-380) and its only completion signal, `ready`, fires once per instance — after the
 * first scan `_emitReady` becomes a no-op (index.js:299-307). Its scan is two internal steps of
 * the watcher's `_nodeFsHandler`, both called through `this`, so instance properties shadow them:
 * `_addToNodeFs(path)` stats a path and, for a directory, awaits `_handleRead` of it (which
 * resolves at the end of the directory's listing) before it sets up the directory's fs.watch and
 * resolves (handler.js:567-631, 531-557); while listing, `_handleRead` calls `_addToNodeFs` for each
 * new entry synchronously from the stream's data event (handler.js:465-490), so a child's scan is in
 * flight before its parent's promise settles. Counting both steps' promises for the added paths
 * therefore tells when the subtree is fully watched: nothing in flight means every directory in it
 * has been listed and has its fs.watch handle. A listing asked for while the same directory is
 * being listed is skipped (handler.js:453-455); the listing under way is tracked, and the re-read it
 * then owes starts in its end handler, before its promise settles (handler.js:500-516). Two steps
 * start a few microtasks after the step that leads to them: `add()` watching the parent of a path
 * that does not exist (index.js:371-378), and a symlinked entry's scan (handler.js:473-476) — so an
 * empty set is only believed once it is still empty after `setImmediate`, which runs after every
 * pending microtask.
 * (Re-arming chokidar's own ready counter instead would count a missing path twice —
 * handler.js:626-628 and index.js:368-369 — and so report ready before the other paths are scanned.)
 *
 * Returns undefined when the chokidar in use lacks these internals; the caller then starts a new
 * instance instead of adding to the running one.
 */
export function trackScans(watcher: FSWatcher): ScanWait | undefined {
  const handler = (watcher as unknown as { _nodeFsHandler?: Handler })._nodeFsHandler;
  if (!handler || typeof handler._addToNodeFs !== "function" || typeof handler._handleRead !== "function") return undefined;
  /** Steps in flight. */
  const running = new Map<Promise<unknown>, Work>();
  for (const name of ["_addToNodeFs", "_handleRead"] as const) {
    const original = handler[name]!;
    handler[name] = (...args: unknown[]) => {
      const step = original.apply(handler, args);
      if (step instanceof Promise && typeof args[0] === "string") {
        running.set(step, { name, path: resolve(args[0]) });
        const forget = () => void running.delete(step);
        step.then(forget, forget);
      }
      return step;
    };
  }
  return async (roots) => {
    const starts = roots.map((root) => resolve(root));
    // A step concerns an added path when it works on the path or below it, or adds the parent
    // chokidar watches in its place while it does not exist (a re-read of that parent, which
    // any change in it causes, does not: it would hold up `ready` while the parent is busy).
    const concerns = ({ name, path }: Work) =>
      starts.some((root) => path === root || isInside(path, root) || (name === "_addToNodeFs" && path === dirname(root)));
    for (;;) {
      if (watcher.closed) return;
      const pending = [...running].filter(([, work]) => concerns(work)).map(([step]) => step);
      if (pending.length > 0) {
        await Promise.allSettled(pending);
        continue;
      }
      await new Promise<void>((done) => setImmediate(done));
      if (![...running.values()].some(concerns)) return;
    }
  };
}

function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel !== "" && rel !== ".." && !rel.startsWith(".." + sep) && !isAbsolute(rel);
}
