/*
 * Whether a command starts with an allowed prefix, judged so that "allowed" means "this program
 * with some arguments" and nothing more. A command line that chains, substitutes, redirects,
 * groups or escapes is never a match, whatever it starts with: `git status; rm -rf ~` is two
 * commands, and only the person may approve the second. Words are compared after the shell's own
 * quote removal (`"git" status` runs git), and whole: `git status` does not allow `git statusx`.
 *
 * The rule errs towards asking: a character refused here only means a person is asked, so the
 * set is wider than strictly needed (a `;` inside quotes is harmless, but parsing quotes exactly
 * as every /bin/sh does is where a matcher goes wrong).
 */

/** Characters that make a command line more than one program with arguments, anywhere in it, quoted or not. */
const SHELL_CONTROL: readonly string[] = [
  ";", // chain
  "&", // background, &&
  "|", // pipe, ||
  "`", // command substitution
  "$(", // command substitution, arithmetic (also caught by "(")
  "(", // subshell, process substitution
  ")",
  ">", // redirect
  "<", // redirect, here-document, process substitution
  "\\", // escapes (and line continuation)
  "\n", // a second command
  "\r",
  "\0",
];

/** The first shell control sequence in `text`, or undefined when there is none. */
export function shellControlIn(text: string): string | undefined {
  let first: { at: number; token: string } | undefined;
  for (const token of SHELL_CONTROL) {
    const at = text.indexOf(token);
    if (at >= 0 && (first === undefined || at < first.at)) first = { at, token };
  }
  return first?.token;
}

/** How to name a control sequence in a message (newlines and NULs are invisible). */
export function describeControl(token: string): string {
  if (token === "\n") return "a newline";
  if (token === "\r") return "a carriage return";
  if (token === "\0") return "a NUL byte";
  return `"${token}"`;
}

/**
 * The words of a command line as the shell would pass them, after quote removal: split on
 * unquoted spaces and tabs, '…' and "…" removed. Undefined when the line has an unterminated quote
 * or any shell control (`shellControlIn`), so that it can never match a prefix.
 */
export function commandWords(command: string): string[] | undefined {
  if (shellControlIn(command) !== undefined) return undefined;
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (const char of command) {
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
      else word += char;
    } else if (char === "'" || char === '"') {
      quote = char;
      inWord = true; // "" is a word of its own: an empty argument
    } else if (char === " " || char === "\t") {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += char;
      inWord = true;
    }
  }
  if (quote !== undefined) return undefined;
  if (inWord) words.push(word);
  return words;
}

/** True when `command`'s words begin with all of `prefix`'s words, each equal (see the file comment). */
export function matchesPrefix(command: string, prefix: string): boolean {
  const words = commandWords(command);
  const wanted = commandWords(prefix);
  if (words === undefined || wanted === undefined || wanted.length === 0 || wanted.length > words.length) return false;
  return wanted.every((w, i) => words[i] === w);
}

/** The first of `prefixes` that `command` matches, or undefined. */
export function matchingPrefix(command: string, prefixes: readonly string[]): string | undefined {
  return prefixes.find((prefix) => matchesPrefix(command, prefix));
}

/** Why a configured prefix cannot be used, or undefined when it can (for the config schema). */
export function explainBadPrefix(prefix: string): string | undefined {
  const control = shellControlIn(prefix);
  if (control !== undefined) return `contains ${describeControl(control)}: a prefix is a program and its first arguments, with no shell control`;
  const words = commandWords(prefix);
  if (words === undefined) return "has an unterminated quote";
  if (words.length === 0) return "has no words";
  return undefined;
}
