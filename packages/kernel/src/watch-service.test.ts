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

  it("closes the watcher once the last registration is disposed", async () => {
    const root = tempRoot();
    const s = service();
    const handle = s.subscribe({ owner: "p", paths: [root], handler: async () => undefined });
    await handle.ready;
    expect(s.roots).toEqual([root]);
    handle.dispose();
    await s.settled();
    expect(s.roots).toEqual([]);
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
  for (let n = 1; !r.batches.flat().includes(path); n++) await r.until(n);
}
