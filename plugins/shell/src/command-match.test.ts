import { describe, expect, it } from "vitest";
import { commandWords, explainBadPrefix, matchesPrefix, matchingPrefix, shellControlIn } from "./command-match.js";

describe("matchesPrefix", () => {
  it("matches a command whose words begin with the prefix's words", () => {
    expect(matchesPrefix("git status", "git status")).toBe(true);
    expect(matchesPrefix("git status --short", "git status")).toBe(true);
    expect(matchesPrefix("  git\tstatus   -s ", "git status")).toBe(true);
    expect(matchesPrefix("ls", "ls")).toBe(true);
  });

  it("compares whole words: a longer word, a shorter command or another word is no match", () => {
    expect(matchesPrefix("git statusx", "git status")).toBe(false);
    expect(matchesPrefix("git stat", "git status")).toBe(false);
    expect(matchesPrefix("git", "git status")).toBe(false);
    expect(matchesPrefix("gitk status", "git status")).toBe(false);
    expect(matchesPrefix("git log", "git status")).toBe(false);
    expect(matchesPrefix("Git status", "git status")).toBe(false);
  });

  it("never matches a command that chains, pipes, substitutes, redirects or escapes", () => {
    for (const command of [
      "git status; rm -rf ~",
      "git status && rm -rf ~",
      "git status || rm -rf ~",
      "git status & rm -rf ~",
      "git status | sh",
      "git status `rm -rf ~`",
      "git status $(rm -rf ~)",
      "git status > ~/.bashrc",
      "git status < /etc/passwd",
      "git status >> log",
      "git status <(rm -rf ~)",
      "git status\nrm -rf ~",
      "git status\r\nrm -rf ~",
      "git status \\\nrm",
      "git status (rm)",
    ]) {
      expect(matchesPrefix(command, "git status"), command).toBe(false);
    }
  });

  it("refuses control characters even inside quotes (asking is the safe side)", () => {
    expect(matchesPrefix('git status "; rm -rf ~"', "git status")).toBe(false);
    expect(matchesPrefix("git commit -m 'a | b'", "git commit")).toBe(false);
  });

  it("removes quotes as the shell does before comparing words", () => {
    expect(matchesPrefix('"git" status', "git status")).toBe(true);
    expect(matchesPrefix("gi't' 'status' -s", "git status")).toBe(true);
    expect(matchesPrefix("git 'status --short'", "git status")).toBe(false); // one argument "status --short"
    expect(matchesPrefix('"git status"', "git status")).toBe(false); // a program named "git status"
    expect(matchesPrefix('git "" status', "git status")).toBe(false); // an empty argument in between
    expect(matchesPrefix("git 'status", "git status")).toBe(false); // unterminated quote
  });

  it("does not let an assignment or another program in front pass", () => {
    expect(matchesPrefix("PAGER=evil git status", "git status")).toBe(false);
    expect(matchesPrefix("env git status", "git status")).toBe(false);
  });

  it("matches against prefixes that are quoted themselves, and never against an empty prefix", () => {
    expect(matchesPrefix("grep 'a b' file", "grep 'a b'")).toBe(true);
    expect(matchesPrefix("grep a b file", "grep 'a b'")).toBe(false);
    expect(matchesPrefix("anything", "")).toBe(false);
    expect(matchesPrefix("anything", "   ")).toBe(false);
  });
});

describe("matchingPrefix", () => {
  it("returns the first prefix that matches", () => {
    expect(matchingPrefix("npm test -- --watch", ["git status", "npm test", "npm"])).toBe("npm test");
    expect(matchingPrefix("npm run build", ["git status", "npm test"])).toBeUndefined();
  });
});

describe("commandWords and shellControlIn", () => {
  it("splits into words after quote removal", () => {
    expect(commandWords(`echo "a b" 'c'd e`)).toEqual(["echo", "a b", "cd", "e"]);
    expect(commandWords("")).toEqual([]);
  });

  it("names the first control sequence", () => {
    expect(shellControlIn("a | b; c")).toBe("|");
    expect(shellControlIn("echo $HOME")).toBeUndefined();
    expect(shellControlIn("echo $(id)")).toBe("$(");
  });
});

describe("explainBadPrefix", () => {
  it("accepts a plain prefix and explains a bad one", () => {
    expect(explainBadPrefix("git status")).toBeUndefined();
    expect(explainBadPrefix("git status;")).toMatch(/contains ";"/);
    expect(explainBadPrefix("git 'status")).toMatch(/unterminated quote/);
    expect(explainBadPrefix(" ")).toMatch(/no words/);
  });
});
