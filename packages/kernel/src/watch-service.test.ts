import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Logger } from "@aleph/plugin-sdk";
import { WatchService, watchDebounce, watchTargets } from "./watch-service.js";

const quiet: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };

const services: WatchService[] = [];
const roots: string[] = [];
afterEach(async () => {
  for (const s of services.splice(0)) await s.close();
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

function tempRoot(): string {
  const root = realpathSync(mkdtempSync(join(tmpdir(), "aleph-watch-")));
  roots.push(root);
  return root;
}

function service(options: { enabled?: () => boolean; debounceMs?: number } = {}): WatchService {
  const s = new WatchService({ enabled: options.enabled ?? (() => true), debounceMs: () => options.debounceMs ?? 60, log: quiet });
  services.push(s);
  return s;
}

/** A handler that records each batch and lets a test await the next one. */
function recorder() {
  const batches: string[][] = [];
  let wake: (() => void) | undefined;
  return {
    batches,
    handler: async (paths: string[]) => {
      batches.push(paths);
      wake?.();
    },
    /** Resolves once `count` batches have arrived. */
    async until(count: number): Promise<string[][]> {
      while (batches.length < count) await new Promise<void>((resolve) => (wake = resolve));
      return batches;
    },
  };
}

describe("WatchService", () => {
  it("reports the files changed under a watched directory, a burst as one sorted batch", async () => {
    const root = tempRoot();
    const notes = join(root, "notes");
    mkdirSync(notes);
    const s = service({ debounceMs: 400 });
    const r = recorder();
    await s.subscribe({ owner: "p", paths: [notes], handler: r.handler }).ready;
    writeFileSync(join(notes, "b.md"), "b");
    writeFileSync(join(notes, "a.md"), "a");
    mkdirSync(join(notes, "deep"));
    writeFileSync(join(notes, "deep", "c.md"), "c");
    const [batch] = await r.until(1);
    expect(batch).toEqual([join(notes, "a.md"), join(notes, "b.md"), join(notes, "deep"), join(notes, "deep", "c.md")]);
  });

  it("watches a path whose parents do not exist yet, and reports it once it is created", async () => {
    const root = tempRoot();
    const skills = join(root, "agents", "main", "skills");
    const s = service();
    const r = recorder();
    await s.subscribe({ owner: "p", paths: [skills], handler: r.handler }).ready;
    expect(s.roots).toEqual([root]);
    mkdirSync(join(skills, "greet"), { recursive: true });
    writeFileSync(join(skills, "greet", "SKILL.md"), "# greet");
    await eventuallyHas(r, join(skills, "greet", "SKILL.md"));
    // Only what lies under the watched path is reported, never the directories on the way to it.
    expect(r.batches.flat().every((p) => p === skills || p.startsWith(skills + "/"))).toBe(true);
  });

  it("reports a path created right after its watch is ready, whose parent existed (several plugins subscribing at once)", async () => {
    // Seen under aleph start: memory, skills and a third-party plugin subscribe in setup, the third
    // to <root>/notes, not there yet; a note written once it was ready went unreported.
    const root = tempRoot();
    const workspace = join(root, "agents", "main", "workspace");
    mkdirSync(workspace, { recursive: true });
    const s = service();
    const r = recorder();
    const handles = [
      s.subscribe({ owner: "memory", paths: [join(workspace, "memory")], handler: async () => {} }),
      s.subscribe({ owner: "skills", paths: [join(workspace, "skills"), join(root, "skills")], handler: async () => {} }),
      s.subscribe({ owner: "notes", paths: [join(root, "notes")], handler: r.handler }),
    ];
    await Promise.all(handles.map((h) => h.ready));
    mkdirSync(join(root, "notes", "2025"), { recursive: true });
    writeFileSync(join(root, "notes", "2025", "today.md"), "a note\n");
    await eventuallyHas(r, join(root, "notes", "2025", "today.md"));
  });

  it("serves every registration from one watcher over the union of their paths, and drops a path nobody watches any more", async () => {
    const root = tempRoot();
    const [a, b] = [join(root, "a"), join(root, "b")];
    mkdirSync(a);
    mkdirSync(b);
    const s = service();
    const ra = recorder();
    const rb = recorder();
    const first = s.subscribe({ owner: "one", paths: [a], handler: ra.handler });
    await s.subscribe({ owner: "two", paths: [b, a], handler: rb.handler }).ready;
    await first.ready;
    expect(s.roots).toEqual([a, b]);

    first.dispose();
    await s.settled();
    expect(s.roots).toEqual([a, b]); // "two" still watches a
    writeFileSync(join(a, "x"), "x");
    await rb.until(1);
    expect(ra.batches, "a disposed registration is never called").toEqual([]);
    expect(rb.batches[0]).toEqual([join(a, "x")]);
  });

  it("closes the watcher once the last registration is disposed, and starts a new one for the next", async () => {
    const root = tempRoot();
    const [a, b] = [join(root, "a"), join(root, "b")];
    mkdirSync(a);
    mkdirSync(b);
    const s = service();
    const first = s.subscribe({ owner: "one", paths: [a], handler: async () => undefined });
    const second = s.subscribe({ owner: "two", paths: [b], handler: async () => undefined });
    await Promise.all([first.ready, second.ready]);
    expect(s.roots).toEqual([a, b]);
    expect(s.starts).toBe(1);
    first.dispose();
    await s.settled();
    expect(s.roots, "a stale root stays while another is wanted").toEqual([a, b]);
    second.dispose();
    await s.settled();
    expect(s.roots).toEqual([]);

    const r = recorder();
    await s.subscribe({ owner: "three", paths: [a], handler: r.handler }).ready;
    expect(s.starts).toBe(2);
    expect(s.roots).toEqual([a]);
    writeFileSync(join(a, "x"), "x");
    await eventuallyHas(r, join(a, "x"));
  });

  it("adds a later registration's paths to the running watcher, which keeps reporting changes meanwhile", async () => {
    const root = tempRoot();
    const [a, b] = [join(root, "a"), join(root, "b")];
    mkdirSync(a);
    // Enough in b that chokidar takes a while to scan it, and a deep corner to check `ready` by.
    for (let d = 0; d < 30; d++) {
      mkdirSync(join(b, `d${d}`), { recursive: true });
      for (let f = 0; f < 30; f++) writeFileSync(join(b, `d${d}`, `f${f}.md`), "");
    }
    const deep = join(b, "d29", "x", "y", "z");
    mkdirSync(deep, { recursive: true });
    const s = service({ debounceMs: 50 });
    const ra = recorder();
    const rb = recorder();
    await s.subscribe({ owner: "one", paths: [a], handler: ra.handler }).ready;
    expect(s.starts).toBe(1);

    // Create files in a in a tight loop while b is being added: every one must be reported (a
    // restart would treat those made during the new instance's scan as already there).
    let adding = true;
    const added = s.subscribe({ owner: "two", paths: [b], handler: rb.handler }).ready.then(() => (adding = false));
    const made: string[] = [];
    while (adding) {
      const file = join(a, `n${made.length}`);
      writeFileSync(file, String(made.length));
      made.push(file);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await added;
    expect(s.starts, "no new chokidar instance").toBe(1);
    expect(s.roots).toEqual([a, b]);
    // Once `ready` resolves, the whole of b is watched, down to its deepest directory.
    writeFileSync(join(deep, "late.md"), "late");
    await poll(() => rb.batches.flat().includes(join(deep, "late.md")), "the new registration sees a change deep in its path");
    await poll(() => made.every((file) => ra.batches.flat().includes(file)), "the first registration sees every file made during the add", () => made.filter((file) => !ra.batches.flat().includes(file)));
    expect(made.length).toBeGreaterThan(0);
    expect(ra.batches.flat().every((p) => p.startsWith(a + "/"))).toBe(true);
    expect(rb.batches.flat().every((p) => p.startsWith(b + "/"))).toBe(true);
  }, 15_000);

  it("keeps reporting to the other registrations when one is disposed, without restarting chokidar", async () => {
    const root = tempRoot();
    const [a, b] = [join(root, "a"), join(root, "b")];
    mkdirSync(a);
    mkdirSync(b);
    const s = service();
    const ra = recorder();
    const rb = recorder();
    await s.subscribe({ owner: "one", paths: [a], handler: ra.handler }).ready;
    const second = s.subscribe({ owner: "two", paths: [b], handler: rb.handler });
    await second.ready;
    second.dispose();
    await s.settled();
    expect(s.starts).toBe(1);
    expect(s.roots, "b stays watched, reported to nobody").toEqual([a, b]);
    writeFileSync(join(b, "ignored"), "x");
    writeFileSync(join(a, "seen"), "x");
    await eventuallyHas(ra, join(a, "seen"));
    // b's change happened before a's; give a straggler of it the same debounce to show up.
    await new Promise<void>((resolve) => setTimeout(resolve, 200));
    expect(rb.batches).toEqual([]);
    expect(ra.batches.flat()).toEqual([join(a, "seen")]);
  });

  it("reuses a root that is wanted again, including what was made in it while nobody wanted it", async () => {
    const root = tempRoot();
    const [a, b] = [join(root, "a"), join(root, "b")];
    mkdirSync(a);
    mkdirSync(b);
    const s = service();
    await s.subscribe({ owner: "one", paths: [a], handler: async () => undefined }).ready;
    const second = s.subscribe({ owner: "two", paths: [b], handler: async () => undefined });
    await second.ready;
    // A plugin reload: the watch is disposed, then made again.
    second.dispose();
    await s.settled();
    mkdirSync(join(b, "new", "deeper"), { recursive: true });
    writeFileSync(join(b, "new", "deeper", "seed"), "");
    // Let chokidar look at b/new while nobody wants b (a wait that falls short only weakens the
    // test, it cannot fail it).
    await new Promise<void>((resolve) => setTimeout(resolve, 250));
    const r = recorder();
    await s.subscribe({ owner: "two", paths: [b], handler: r.handler }).ready;
    expect(s.starts).toBe(1);
    expect(s.roots).toEqual([a, b]);
    // chokidar's filter kept following b while it was stale, so the directory made then gets
    // watched. chokidar may still be busy with it: write a file there, and another if none is
    // reported after a while (were the directory not followed, none ever would be, as nothing
    // changes in b itself).
    const deeper = join(b, "new", "deeper");
    let written = 0;
    let lastWrite = 0;
    await poll(() => {
      if (r.batches.flat().some((p) => p.startsWith(deeper + "/x"))) return true;
      if (Date.now() - lastWrite > 300) {
        writeFileSync(join(deeper, `x${written++}.md`), "x");
        lastWrite = Date.now();
      }
      return false;
    }, "a change in a directory made while b was stale");
  });

  it("adds a path the filter kept chokidar out of so far, and a path that does not exist yet", async () => {
    const root = tempRoot();
    const skills = join(root, "agents", "main", "skills");
    const notes = join(root, "notes");
    const later = join(root, "later");
    mkdirSync(notes);
    writeFileSync(join(notes, "old.md"), "");
    const s = service();
    const r1 = recorder();
    await s.subscribe({ owner: "one", paths: [skills], handler: r1.handler }).ready;
    expect(s.roots, "only the way to skills is followed from root").toEqual([root]);
    const r2 = recorder();
    await s.subscribe({ owner: "two", paths: [notes, later], handler: r2.handler }).ready;
    expect(s.starts).toBe(1);
    // A path not there yet is watched from its nearest existing ancestor (root, already a root).
    expect(s.roots).toEqual([root, notes].sort());
    writeFileSync(join(notes, "old.md"), "changed");
    await eventuallyHas(r2, join(notes, "old.md"));
    mkdirSync(later);
    writeFileSync(join(later, "a.md"), "a");
    await eventuallyHas(r2, join(later, "a.md"));
    expect(r1.batches).toEqual([]);
  });

  it("restarts chokidar once without the stale roots when they pile up past the limit", async () => {
    const root = tempRoot();
    const dirs = Array.from({ length: 18 }, (_, i) => join(root, `d${String(i).padStart(2, "0")}`));
    for (const dir of dirs) mkdirSync(dir);
    const s = service();
    const r = recorder();
    const [keep, ...rest] = dirs;
    await s.subscribe({ owner: "keep", paths: [keep!], handler: r.handler }).ready;
    const handles = rest.map((dir) => s.subscribe({ owner: dir, paths: [dir], handler: async () => undefined }));
    await Promise.all(handles.map((h) => h.ready));
    expect(s.starts).toBe(1);
    expect(s.roots).toEqual(dirs);
    for (const [i, handle] of handles.entries()) {
      handle.dispose();
      await s.settled();
      const stale = i + 1;
      expect(s.starts, `${stale} stale roots`).toBe(stale > 16 ? 2 : 1);
      expect(s.roots).toEqual(stale > 16 ? [keep] : dirs);
    }
    writeFileSync(join(keep!, "x"), "x");
    await eventuallyHas(r, join(keep!, "x"));
    expect(s.starts).toBe(2);
  });


  it("leaves dependencies, VCS data and editor swap files below a watched path out", async () => {
    const root = tempRoot();
    const s = service();
    const r = recorder();
    await s.subscribe({ owner: "p", paths: [root], handler: r.handler }).ready;
    mkdirSync(join(root, "node_modules", "x"), { recursive: true });
    writeFileSync(join(root, "node_modules", "x", "index.js"), "");
    mkdirSync(join(root, ".git"));
    writeFileSync(join(root, ".git", "HEAD"), "");
    writeFileSync(join(root, ".note.md.swp"), "");
    writeFileSync(join(root, "note.md"), "real");
    await eventuallyHas(r, join(root, "note.md"));
    expect(r.batches.flat()).toEqual([join(root, "note.md")]);
  });

  it("never starts a watcher while the kernel does not watch, and starts one for the same registrations when watching is turned on", async () => {
    const root = tempRoot();
    let enabled = false;
    const s = service({ enabled: () => enabled });
    const r = recorder();
    const handle = s.subscribe({ owner: "p", paths: [root], handler: r.handler });
    await handle.ready;
    expect(s.watching).toBe(false);
    expect(s.roots, "no chokidar instance, so no handler can be called").toEqual([]);

    enabled = true;
    await s.refresh();
    expect(s.watching).toBe(true);
    expect(s.roots).toEqual([root]);
    writeFileSync(join(root, "on.md"), "on");
    await eventuallyHas(r, join(root, "on.md"));

    enabled = false;
    await s.refresh();
    expect(s.roots).toEqual([]);
  });

  it("never overlaps two calls of one handler: a batch that comes due meanwhile runs after it returns", async () => {
    const root = tempRoot();
    const s = service();
    const calls: string[][] = [];
    let inside = 0;
    let maxInside = 0;
    let release: (() => void) | undefined;
    let entered: (() => void) | undefined;
    const firstEntered = new Promise<void>((resolve) => (entered = resolve));
    const secondDone = new Promise<void>((resolve) => {
      void s
        .subscribe({
          owner: "p",
          paths: [root],
          handler: async (paths) => {
            inside += 1;
            maxInside = Math.max(maxInside, inside);
            calls.push(paths);
            if (calls.length === 1) {
              entered?.();
              await new Promise<void>((r) => (release = r));
            }
            inside -= 1;
            if (calls.length === 2) resolve();
          },
        })
        .ready.then(() => writeFileSync(join(root, "one"), "1"));
    });
    await firstEntered;
    writeFileSync(join(root, "two"), "2");
    // The second batch comes due while the first call still runs; it must wait for it.
    await new Promise<void>((r) => setTimeout(r, 300));
    expect(calls.length).toBe(1);
    release!();
    await secondDone;
    expect(maxInside).toBe(1);
    expect(calls).toEqual([[join(root, "one")], [join(root, "two")]]);
  });

  it("stops calling handlers when closed", async () => {
    const root = tempRoot();
    const s = service();
    await s.subscribe({ owner: "p", paths: [root], handler: async () => undefined }).ready;
    await s.close();
    expect(s.watching).toBe(false);
    expect(s.roots).toEqual([]);
  });
});

describe("watchTargets", () => {
  it("resolves relative paths against the state root and keeps absolute ones", () => {
    expect(watchTargets("skills", "/r", "p")).toEqual(["/r/skills"]);
    expect(watchTargets(["skills/", "/elsewhere/notes", "."], "/r", "p")).toEqual(["/r/skills", "/elsewhere/notes", "/r"]);
  });

  it("refuses no paths, empty paths and relative paths that leave the root, saying how to fix it", () => {
    expect(() => watchTargets([], "/r", "p")).toThrow(/called ctx\.watch without paths/);
    expect(() => watchTargets([""], "/r", "p")).toThrow(/invalid path ""/);
    expect(() => watchTargets("../x", "/r", "p")).toThrow(/"\.\.\/x", which leaves the state root/);
  });
});

describe("watchDebounce", () => {
  it("accepts what [extensions] debounce_ms accepts and refuses the rest", () => {
    expect(watchDebounce(undefined, "p")).toBeUndefined();
    expect(watchDebounce(50, "p")).toBe(50);
    expect(() => watchDebounce(10, "p")).toThrow(/from 50 to 60000/);
    expect(() => watchDebounce(1.5, "p")).toThrow(/debounceMs 1\.5/);
  });
});

/** Waits until the recorder has seen `path` (the platform may split one change into several batches). */
async function eventuallyHas(r: ReturnType<typeof recorder>, path: string): Promise<void> {
  await poll(() => r.batches.flat().includes(path), `a batch with ${path}`, () => r.batches);
}

/** Polls `done` until it holds, failing after `ms` with `what` (and `detail()`, if given). */
async function poll(done: () => boolean, what: string, detail?: () => unknown, ms = 4000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${detail ? `: ${JSON.stringify(detail())}` : ""}`);
    await new Promise<void>((resolve) => setTimeout(resolve, 10));
  }
}
