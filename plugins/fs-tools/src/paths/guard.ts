import { lstat, realpath } from "node:fs/promises";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { AlephError } from "@aleph/plugin-sdk";

/*
 * Where an agent's file tools may go: its workspace and the granted roots, judged on real paths.
 * A path is resolved against the workspace, `..` is folded, then every symbolic link on the way is
 * followed (realpath of the target, or of its nearest existing ancestor for a path to be created);
 * only then is it compared with the real paths of the allowed folders. The tools then work on that
 * real path, so what was checked is what is touched (short of a link swapped in between: see the README).
 */

/** A path the guard let through. */
export interface GuardedPath {
  /** The real path to work on (links resolved; the part still to be created appended). */
  real: string;
  /** False when the real path (or a part of it) does not exist yet. */
  exists: boolean;
  /** How to name it to the model: relative to the workspace when inside it, else absolute. */
  display: string;
}

export class PathGuard {
  readonly #workspace: string;
  readonly #roots: readonly string[];
  /** The workspace's real path, known after the first resolve (display() names paths against it). */
  #realWorkspace: string | undefined;
  /** The workspace's real path, known after the first resolve (display() names paths against it). */
  /** `workspace` and `roots` are absolute; roots that do not exist grant nothing. */
  constructor(workspace: string, roots: readonly string[] = []) {
    this.#workspace = resolve(workspace);
    this.#roots = roots.map((r) => resolve(r));
  }

  get workspace(): string {
    return this.#workspace;
  }

  /** Resolves `path` (relative to the workspace, or absolute) and refuses it outside the allowed folders. */
  async resolve(path: string): Promise<GuardedPath> {
    if (path.includes("\0")) throw new AlephError("ALEPH_E_TOOL_ARGS", `the path ${JSON.stringify(path)} contains a NUL byte`, { fix: "give a plain file path" });
    const lexical = isAbsolute(path) ? resolve(path) : resolve(this.#workspace, path === "" ? "." : path);
    const { real, exists } = await realOrNearest(lexical, path);
    const allowed = await this.#allowedReal();
    if (!allowed.some((root) => isInside(real, root))) {
      const through = real !== lexical ? ` (it leads, through a symbolic link, to ${real})` : "";
      throw new AlephError("ALEPH_E_UNSAFE_PATH", `${JSON.stringify(path)} is outside the agent's workspace (${this.#workspace})${through}; the file tools reach only the workspace and the folders granted in [tools.fs] roots`, {
        fix: `use a path inside ${this.#workspace}, or grant the folder in [tools.fs] roots of config.toml`,
      });
    }
    return { real, exists, display: this.display(real) };
  }

  /** True when a real path is inside an allowed folder (for links met during a walk). */
  async allows(real: string): Promise<boolean> {
    return (await this.#allowedReal()).some((root) => isInside(real, root));
  }

  /** A real path as the model should name it: relative to the workspace when inside it. */
  display(real: string): string {
    const rel = relative(this.#realWorkspace ?? this.#workspace, real);
    if (rel === "") return ".";
    return rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel) ? real : rel.split(sep).join("/");
  }

  // Real paths of the workspace and the roots, looked up on each call: a root may appear, or be
  // re-pointed, while the kernel runs.
  async #allowedReal(): Promise<string[]> {
    const out: string[] = [];
    for (const dir of [this.#workspace, ...this.#roots]) {
      const real = await realpath(dir).catch(() => undefined);
      if (dir === this.#workspace) this.#realWorkspace = real ?? dir;
      // A workspace not created yet is still the agent's: it is compared as written.
      if (real !== undefined) out.push(real);
      else if (dir === this.#workspace) out.push(dir);
    }
    return out;
  }
}

function isInside(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/**
 * The real path of `lexical`: its realpath when it exists, else the realpath of its nearest
 * existing ancestor with the missing part appended. A broken link on the way is refused: where it
 * points cannot be checked, and creating through it would land wherever it points.
 */
async function realOrNearest(lexical: string, asGiven: string): Promise<{ real: string; exists: boolean }> {
  const missing: string[] = [];
  let current = lexical;
  for (;;) {
    try {
      const real = await realpath(current);
      return { real: missing.length === 0 ? real : join(real, ...missing.reverse()), exists: missing.length === 0 };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOTDIR") {
        throw new AlephError("ALEPH_E_TOOL_ARGS", `${JSON.stringify(asGiven)} goes through ${current}, which is a file, not a folder`, { fix: "check the path with list_dir" });
      }
      if (code !== "ENOENT") throw error;
      const isLink = await lstat(current).then((s) => s.isSymbolicLink(), () => false);
      if (isLink) {
        throw new AlephError("ALEPH_E_UNSAFE_PATH", `${JSON.stringify(asGiven)} goes through ${current}, a symbolic link whose target does not exist; the file tools do not follow broken links`, {
          fix: "remove or repair the link, or use another path",
        });
      }
      const parent = dirname(current);
      if (parent === current) throw error;
      missing.push(basename(current));
      current = parent;
    }
  }
}
