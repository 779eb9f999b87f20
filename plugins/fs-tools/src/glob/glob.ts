import { AlephError } from "@aleph/plugin-sdk";

/*
 * A small glob matcher (Node 20 has no fs.glob): a pattern becomes one RegExp tested against
 * "/"-separated paths relative to the folder searched.
 *   *      any characters within one path segment
 *   **     as a whole segment: any number of segments, none included (a/**\/b matches a/b)
 *   ?      one character within a segment
 *   [abc]  one of the characters; [a-z] a range; [!abc] or [^abc] none of them
 *   {a,b}  either alternative (expanded first, so alternatives may hold any of the above and nest)
 *   \x     x itself
 * Wildcards match names starting with "." too: the walk already leaves .git and node_modules out,
 * and an agent looking for files usually wants the dotfiles among them.
 */

/** Alternatives a pattern's braces may expand to: {a,b}{c,d}… grows fast. */
const MAX_EXPANSIONS = 256;

/** Compiles a glob pattern; throws ALEPH_E_TOOL_ARGS for a pattern it cannot take. */
export function compileGlob(pattern: string): RegExp {
  if (pattern === "") throw new AlephError("ALEPH_E_TOOL_ARGS", "the glob pattern is empty", { fix: 'give a pattern such as "**/*.ts"' });
  const alternatives = expandBraces(pattern);
  try {
    return new RegExp(`^(?:${alternatives.map(compileOne).join("|")})$`, "u");
  } catch (error) {
    // A class range backwards ([z-a]) is the one way to get here.
    throw new AlephError("ALEPH_E_TOOL_ARGS", `the glob pattern ${JSON.stringify(pattern)} is not valid: ${(error as Error).message}`, { fix: "check its [...] ranges" });
  }
}

/** True when `path` ("/"-separated, relative) matches `pattern`. */
export function globMatch(pattern: string, path: string): boolean {
  return compileGlob(pattern).test(path);
}

/** {a,b}c → [ac, bc], innermost-last, left to right; an unclosed "{" or one without "," is literal. */
export function expandBraces(pattern: string): string[] {
  const brace = findBrace(pattern);
  if (!brace) return [pattern];
  const { start, end, parts } = brace;
  const head = pattern.slice(0, start);
  const tail = pattern.slice(end + 1);
  const out: string[] = [];
  for (const part of parts) {
    for (const expanded of expandBraces(head + part + tail)) {
      out.push(expanded);
      if (out.length > MAX_EXPANSIONS) {
        throw new AlephError("ALEPH_E_TOOL_ARGS", `the glob pattern ${JSON.stringify(pattern)} expands to more than ${MAX_EXPANSIONS} alternatives`, { fix: "use fewer {a,b} groups" });
      }
    }
  }
  return out;
}

/** The first top-level {…} with a top-level comma: where it starts, ends, and its parts. */
function findBrace(pattern: string): { start: number; end: number; parts: string[] } | undefined {
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") {
      i++;
      continue;
    }
    if (c === "[") {
      const close = classEnd(pattern, i);
      if (close !== -1) i = close;
      continue;
    }
    if (c !== "{") continue;
    let depth = 0;
    const commas: number[] = [];
    for (let j = i; j < pattern.length; j++) {
      const d = pattern[j];
      if (d === "\\") {
        j++;
      } else if (d === "{") {
        depth++;
      } else if (d === "}") {
        depth--;
        if (depth === 0) {
          if (commas.length === 0) break; // {a} is literal, as in shells
          const bounds = [i, ...commas, j];
          const parts = bounds.slice(0, -1).map((b, k) => pattern.slice(b + 1, bounds[k + 1]));
          return { start: i, end: j, parts };
        }
      } else if (d === "," && depth === 1) {
        commas.push(j);
      }
    }
  }
  return undefined;
}

/** Index of the "]" closing a class opened at `open`, or -1 (then "[" is literal). */
function classEnd(pattern: string, open: number): number {
  let i = open + 1;
  if (pattern[i] === "!" || pattern[i] === "^") i++;
  if (pattern[i] === "]") i++; // a "]" first in the class is one of its characters
  for (; i < pattern.length; i++) {
    if (pattern[i] === "\\") i++;
    else if (pattern[i] === "/") return -1; // a class never spans segments
    else if (pattern[i] === "]") return i;
  }
  return -1;
}

// Escapes valid under the "u" flag: syntax characters and "/" outside a class; inside one, also "-".
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
const escapeClassChar = (s: string) => s.replace(/[\\\]\[^-]/g, "\\$&");

/** One brace-free pattern as a RegExp source. */
function compileOne(pattern: string): string {
  const segments = pattern.split("/");
  let source = "";
  segments.forEach((segment, index) => {
    const last = index === segments.length - 1;
    if (segment === "**") {
      // Any number of whole segments: "a/**/b", "**/b", "a/**" (everything below a).
      source += last ? (index === 0 ? ".*" : ".+") : "(?:[^/]+/)*";
      return;
    }
    source += compileSegment(segment) + (last ? "" : "/");
  });
  // "a/**" is compiled as "a/" + ".+": a itself is not "below a".
  return source;
}

function compileSegment(segment: string): string {
  let out = "";
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === "\\") {
      if (i + 1 < segment.length) out += escapeRegExp(segment[++i]!);
      else out += "\\\\";
    } else if (c === "*") {
      while (segment[i + 1] === "*") i++; // "**" inside a segment ("a**b") is just "*"
      out += "[^/]*";
    } else if (c === "?") {
      out += "[^/]";
    } else if (c === "[") {
      const close = classEnd(segment, i);
      if (close === -1) {
        out += "\\[";
        continue;
      }
      let body = segment.slice(i + 1, close);
      let negate = false;
      if (body.startsWith("!") || body.startsWith("^")) {
        negate = true;
        body = body.slice(1);
      }
      out += `[${negate ? "^/" : ""}${classBody(body)}]`;
      i = close;
    } else {
      out += escapeRegExp(c);
    }
  }
  return out;
}

/** A class's characters for a RegExp class: ranges kept, everything else literal. */
function classBody(body: string): string {
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === "\\" && i + 1 < body.length) {
      out += escapeClassChar(body[++i]!);
    } else if (c === "-" && i > 0 && i < body.length - 1) {
      out += "-";
    } else {
      out += escapeClassChar(c);
    }
  }
  return out;
}
