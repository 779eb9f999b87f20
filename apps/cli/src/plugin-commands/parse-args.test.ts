import { describe, expect, it } from "vitest";
import type { CommandDeclaration } from "@aleph/plugin-sdk";
import { UsageError } from "../command.js";
import { parseCommandLine } from "./parse-args.js";

const show: CommandDeclaration = {
  name: "sessions show",
  summary: "Show a session",
  args: [{ name: "key", summary: "a session key", required: true, variadic: false }],
  options: [
    { name: "limit", type: "integer", min: 1, max: 10000, default: 20, required: false },
    { name: "ratio", type: "number", min: 0, max: 1, required: false },
    { name: "role", type: "string", choices: ["user", "assistant"], required: false },
    { name: "json", type: "boolean", required: false },
    { name: "events", type: "string", required: false },
  ],
  services: [],
  allPlugins: false,
};

const usage = (argv: string[], declaration = show) => {
  try {
    parseCommandLine(declaration, argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`no usage error for ${argv.join(" ")}`);
};

describe("parseCommandLine", () => {
  it("names arguments, converts options and applies defaults", () => {
    expect(parseCommandLine(show, ["agent:main:main", "--ratio", "0.5", "--json"])).toEqual({
      help: false,
      args: { key: "agent:main:main" },
      options: { limit: 20, ratio: 0.5, role: undefined, json: true, events: undefined },
    });
    expect(parseCommandLine(show, ["k", "--limit", "7"]).options.limit).toBe(7);
    expect(parseCommandLine(show, ["--help"]).help).toBe(true);
  });

  it("refuses bad values with the option's rule in the message", () => {
    expect(usage(["k", "--limit", "0"])).toBe('--limit takes a whole number from 1 to 10000, not "0"');
    expect(usage(["k", "--limit", "2.5"])).toBe('--limit takes a whole number from 1 to 10000, not "2.5"');
    expect(usage(["k", "--limit", "lots"])).toMatch(/whole number/);
    expect(usage(["k", "--ratio", "2"])).toBe('--ratio takes a number from 0 to 1, not "2"');
    expect(usage(["k", "--ratio", ""])).toMatch(/takes a number/);
    for (const text of ["0x1", "0b1", "1e-1", "Infinity", "1.2.3", "."]) expect(usage(["k", "--ratio", text]), text).toBe(`--ratio takes a number from 0 to 1, not "${text}"`);
    expect(usage(["k", "--role", "wizard"])).toBe('--role takes user, assistant, not "wizard"');
    expect(usage(["k", "--limit"])).toMatch(/argument missing|--limit/);
  });

  it("refuses missing and extra arguments", () => {
    expect(usage([])).toBe("expected a session key");
    expect(usage(["a", "b"])).toBe("expected a session key, got 2 arguments");
    expect(usage(["extra"], { ...show, name: "sessions list", args: [] })).toBe("takes no arguments, got 1");
  });

  it("suggests the nearest option for an unknown one", () => {
    expect(usage(["k", "--event", "x"])).toBe("Unknown option '--event' (did you mean --events?)");
    expect(usage(["k", "--zzzzzz"])).toBe("Unknown option '--zzzzzz'");
  });

  it("takes the rest of the positionals into a variadic argument and enforces required options", () => {
    const many: CommandDeclaration = {
      name: "x y",
      summary: "s",
      args: [{ name: "files", required: true, variadic: true }],
      options: [{ name: "mode", type: "string", required: true, choices: ["a", "b"] }],
      services: [],
      allPlugins: false,
    };
    expect(parseCommandLine(many, ["1", "2", "--mode", "a"]).args).toEqual({ files: ["1", "2"] });
    expect(usage(["1"], many)).toBe("--mode is required (a, b)");
    expect(usage(["--mode", "a"], many)).toBe("expected <files>");
  });
});
