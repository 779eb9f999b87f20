/*
 * Where a syntax error in a plugin's code is.
 *
 * V8 knows the line and column of a syntax error, but Node hands them to JavaScript only for
 * CommonJS: there the error's stack starts with an "arrow message" (`file:line`, the source line,
 * a caret under the column). A SyntaxError from import() of an ES module carries only its message
 * — no file, no line — on Node 20 and 24 alike, and `vm.SourceTextModule` (which would compile a
 * module in process) needs --experimental-vm-modules. What does give the arrow for a module is
 * `node --input-type=module --check` with the source on stdin: it compiles, never runs, and
 * prints the arrow. (`node --check <file>` is not used: on Node 20 it passes a broken module that
 * has no "type" to say it is one.)
 *
 * The failing module can be any file the entry imports, so the plugin's own files are walked from
 * the entry along literal relative imports, most recently modified first (the broken file is
 * usually the one just edited), and the first whose check fails with the same message is the
 * answer. This costs one short child process per file checked, only when an import has failed.
 */
import { spawn } from "node:child_process";
import { readFileSync, realpathSync, statSync } from "node:fs";
import { dirname, extname, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** Where a syntax error is, and the line of source it is on. */
export interface SourceLocation {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based, in characters. */
  column: number;
  /** The offending line of source, as written. */
  source: string;
  /** The compiler's own message, when the error's message is a report around it (esbuild's). */
  message?: string;
}

/** At most this many files are checked for one failure: a plugin with more has bundled its code. */
const MAX_FILES = 64;
const CHECKED_EXTENSIONS = new Set([".js", ".mjs"]);
/** `import … from "./x"`, `export … from "./x"`, `import "./x"`, `import("./x")`: relative specifiers only. */
const RELATIVE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*)(["'])(\.{1,2}\/[^"'\n]+)\1/g;

/**
 * Reads Node's arrow message — `<file>:<line>`, the source line, a line with `^` under the
 * column — from the start of a stack or of `node --check` output.
 */
export function parseArrowMessage(text: string): SourceLocation | undefined {
  const lines = text.split("\n");
  for (let i = 0; i + 2 < lines.length && i < 4; i++) {
    const head = /^(.+):(\d+)$/.exec(lines[i]!);
    const caret = lines[i + 2]!.search(/\^/);
    if (!head || caret < 0 || lines[i + 2]!.slice(0, caret).trim() !== "") continue;
    let file = head[1]!;
    if (file.startsWith("file:")) file = fileURLToPath(file.replace(/[?#].*$/, ""));
    return { file, line: Number(head[2]), column: caret + 1, source: lines[i + 1]! };
  }
  return undefined;
}

/** The SyntaxError message in `node --check` output ("SyntaxError: <message>"). */
function checkMessage(output: string): string | undefined {
  return /^SyntaxError: (.*)$/m.exec(output)?.[1];
}

/** Compiles `file` as an ES module in a child Node, without running it; its arrow message, if it does not compile. */
function checkModule(file: string): Promise<{ location: SourceLocation; message: string } | undefined> {
  return new Promise((done) => {
    let source: Buffer;
    try {
      source = readFileSync(file);
    } catch {
      return done(undefined);
    }
    // A clean environment: NODE_OPTIONS could preload code, and nothing of the plugin may run.
    const child = spawn(process.execPath, ["--input-type=module", "--check"], { stdio: ["pipe", "ignore", "pipe"], env: { PATH: process.env.PATH ?? "" } });
    let output = "";
    const timer = setTimeout(() => child.kill(), 10_000);
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk.length < 65_536 ? chunk : ""));
    child.on("error", () => done(undefined));
    child.on("close", (code) => {
      clearTimeout(timer);
      const location = code === 0 ? undefined : parseArrowMessage(output);
      const message = checkMessage(output);
      done(location && message !== undefined ? { location: { ...location, file }, message } : undefined);
    });
    child.stdin.on("error", () => undefined); // the child may exit before reading everything
    child.stdin.end(source);
  });
}

/** The plugin's own script files reachable from the entry by literal relative imports, entry first. */
function pluginFiles(entry: string, root: string): string[] {
  const inside = (file: string) => file === root || file.startsWith(root.endsWith(sep) ? root : root + sep);
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length > 0 && seen.size < MAX_FILES) {
    const file = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const match of text.matchAll(RELATIVE_IMPORT)) {
      let target: string;
      try {
        target = realpathSync(resolve(dirname(file), match[2]!.replace(/[?#].*$/, "")));
      } catch {
        continue; // a specifier without its extension, or a missing file: Node would not load it either
      }
      if (inside(target) && CHECKED_EXTENSIONS.has(extname(target)) && !seen.has(target)) queue.push(target);
    }
  }
  return [...seen];
}

function mtimeOf(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * Where esbuild's TransformError (tsx compiling a TypeScript module, ts-loader.ts) is: its message
 * reads `Transform failed with 1 error:\n<file>:<line>:<column>: ERROR: <message>`, column 0-based.
 * It crosses from the loader thread as a plain Error with that name and message, so the message is
 * all there is to read.
 */
export function locateTransformError(error: unknown): SourceLocation | undefined {
  if ((error as { name?: unknown } | null)?.name !== "TransformError") return undefined;
  const found = /^(.+):(\d+):(\d+): ERROR: (.*)$/m.exec(String((error as Error).message ?? ""));
  if (!found) return undefined;
  const file = found[1]!;
  const line = Number(found[2]);
  let source = "";
  try {
    source = readFileSync(file, "utf8").split("\n")[line - 1] ?? "";
  } catch {
    // the file changed or went away since: report the place without its line
  }
  return { file, line, column: Number(found[3]) + 1, source, message: found[4]! };
}

/**
 * Where the SyntaxError that an import of `entry` failed with is: read from its stack when Node
 * put the arrow there (CommonJS), else found by checking the plugin's files under `root`; for a
 * TypeScript module, read from esbuild's message.
 * Undefined for anything that is not a SyntaxError, or when no file shows the same error.
 */
export async function locateSyntaxError(error: unknown, entry: string, root: string): Promise<SourceLocation | undefined> {
  const transform = locateTransformError(error);
  if (transform) return transform;
  if (!(error instanceof SyntaxError) && (error as { name?: unknown } | null)?.name !== "SyntaxError") return undefined;
  const fromStack = parseArrowMessage(String((error as Error).stack ?? ""));
  if (fromStack) return fromStack;
  const message = (error as Error).message;
  const files = pluginFiles(entry, root).filter((f) => CHECKED_EXTENSIONS.has(extname(f)));
  files.sort((a, b) => mtimeOf(b) - mtimeOf(a));
  for (const file of files) {
    const failed = await checkModule(file);
    if (failed && failed.message === message) return failed.location;
  }
  return undefined;
}

/** The source line without its indentation; a long (minified) line is cut to the part around the column. */
export function excerptOf(location: SourceLocation): string {
  const indent = location.source.length - location.source.trimStart().length;
  const source = location.source.trim();
  if (source.length <= 80) return source;
  const at = Math.max(0, location.column - 1 - indent);
  const start = Math.max(0, Math.min(at - 40, source.length - 80));
  return `${start > 0 ? "..." : ""}${source.slice(start, start + 80)}${start + 80 < source.length ? "..." : ""}`;
}
