import { describe, expect, it } from "vitest";
import { findCommand, helpFor, runCommand, UsageError, type Command } from "./command.js";

const seen: unknown[] = [];
const commands: Command[] = [
  { name: "plugins list", summary: "list", options: { json: { type: "boolean", description: "JSON" } }, run: (ctx) => (seen.push(ctx.options), 0) },
  { name: "plugins inspect", summary: "inspect", args: "<id>", run: (ctx) => { if (ctx.args.length !== 1) throw new UsageError("expected one plugin id"); return 0; } },
  { name: "fail", summary: "fails", run: () => { throw new Error("it broke"); } },
];

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t), env: {}, cwd: "/" } };
}

describe("command dispatch", () => {
  it("finds the command named by the leading words", () => {
    expect(findCommand(commands, ["plugins", "list", "--json"])?.rest).toEqual(["--json"]);
    expect(findCommand(commands, ["plugins", "inspect", "x"])?.command.name).toBe("plugins inspect");
    expect(findCommand(commands, ["plugins"])).toBeUndefined();
  });

  it("parses options and passes them to the command", async () => {
    const { io: streams } = io();
    expect(await runCommand(commands[0]!, ["--json"], streams)).toBe(0);
    expect(seen.at(-1)).toEqual({ json: true });
  });

  it("exits 2 on an unknown option or a usage error, 1 on a failure, with a one-line reason", async () => {
    const a = io();
    expect(await runCommand(commands[0]!, ["--jsno"], a.io)).toBe(2);
    expect(a.err.join("")).toMatch(/Unknown option '--jsno'/);
    const b = io();
    expect(await runCommand(commands[1]!, [], b.io)).toBe(2);
    expect(b.err.join("")).toMatch(/expected one plugin id/);
    const c = io();
    expect(await runCommand(commands[2]!, [], c.io)).toBe(1);
    expect(c.err.join("")).toBe("aleph fail: it broke\n");
  });

  it("suggests the nearest option for a misspelt one", async () => {
    const { err, io: streams } = io();
    expect(await runCommand(commands[0]!, ["--jsno"], streams)).toBe(2);
    expect(err.join("")).toContain("aleph plugins list: Unknown option '--jsno' (did you mean --json?)");
  });

  it("prints help with every option for --help and exits 0", async () => {
    const a = io();
    expect(await runCommand(commands[0]!, ["--help"], a.io)).toBe(0);
    expect(a.out.join("")).toBe(helpFor(commands[0]!));
    expect(a.out.join("")).toMatch(/--json\s+JSON/);
    expect(a.out.join("")).toMatch(/-h, --help/);
  });
});
