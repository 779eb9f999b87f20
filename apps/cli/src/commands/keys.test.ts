import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { useLowVaultKdfCost } from "@aleph/plugin-sdk/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCommand, type CommandContext } from "../command.js";
import { keysGetCommand, keysListCommand, keysRmCommand, keysSetCommand } from "./keys.js";

const SECRET = "sk-unit-5555555555";

function workspace() {
  const root = mkdtempSync(join(tmpdir(), "aleph-keys-cli-"));
  return { root, keys: join(root, "keys"), env: { ALEPH_STATE_DIR: root, HOME: root } as NodeJS.ProcessEnv };
}

function io(env: NodeJS.ProcessEnv, stdin?: NodeJS.ReadableStream) {
  const out: string[] = [];
  const err: string[] = [];
  const streams: Pick<CommandContext, "out" | "err" | "env" | "cwd" | "stdin"> = {
    out: (t) => void out.push(t),
    err: (t) => void err.push(t),
    env,
    cwd: "/",
    stdin: (stdin ?? Readable.from([])) as NodeJS.ReadStream,
  };
  return { out, err, streams, text: () => out.join("") + err.join("") };
}

/** A stand-in terminal: isTTY, raw mode recorded, keystrokes pushed by the test. */
function fakeTty() {
  const stream = new PassThrough() as PassThrough & { isTTY: boolean; setRawMode: (on: boolean) => void; raw: boolean[] };
  stream.isTTY = true;
  stream.raw = [];
  stream.setRawMode = (on: boolean) => void stream.raw.push(on);
  return stream;
}

// Encrypted keys are derived at the lowest cost (the SDK's vault tests keep one at the default):
// several derivations at the default cost overrun 5 s on a loaded 2-core machine.
let restoreKdfCost: () => void = () => undefined;
beforeAll(() => {
  restoreKdfCost = useLowVaultKdfCost();
});
afterAll(() => restoreKdfCost());

describe("aleph keys", () => {
  it("set reads stdin minus one trailing newline; get prints it; list names it; rm removes it", async () => {
    const ws = workspace();
    const set = io(ws.env, Readable.from([`${SECRET}\n\n`]));
    expect(await runCommand(keysSetCommand, ["openai"], set.streams)).toBe(0);
    expect(set.text()).not.toContain(SECRET);
    expect(set.out.join("")).toMatch(/Stored key "openai" .*not encrypted/);
    expect(statSync(ws.keys).mode & 0o777).toBe(0o700);
    expect(statSync(join(ws.keys, "openai")).mode & 0o777).toBe(0o600);

    const get = io(ws.env);
    expect(await runCommand(keysGetCommand, ["openai"], get.streams)).toBe(0);
    expect(get.out.join("")).toBe(`${SECRET}\n\n`);

    const list = io(ws.env);
    expect(await runCommand(keysListCommand, ["--json"], list.streams)).toBe(0);
    expect(JSON.parse(list.out.join(""))).toEqual([{ name: "openai", encrypted: false }]);

    const rm = io(ws.env);
    expect(await runCommand(keysRmCommand, ["openai"], rm.streams)).toBe(0);
    const again = io(ws.env);
    expect(await runCommand(keysRmCommand, ["openai"], again.streams)).toBe(1);
    expect(again.err.join("")).toMatch(/ALEPH_E_VAULT: no key "openai"/);
    const empty = io(ws.env);
    expect(await runCommand(keysListCommand, [], empty.streams)).toBe(0);
    expect(empty.out.join("")).toMatch(/^No keys in /);
  });

  it("set encrypts with ALEPH_VAULT_PASSPHRASE and will not replace an encrypted key without it", async () => {
    const ws = workspace();
    const env = { ...ws.env, ALEPH_VAULT_PASSPHRASE: "pass-phrase" };
    expect(await runCommand(keysSetCommand, ["anthropic"], io(env, Readable.from([SECRET])).streams)).toBe(0);
    expect(readFileSync(join(ws.keys, "anthropic"), "utf8")).not.toContain(SECRET);
    expect(JSON.parse(readFileSync(join(ws.keys, "anthropic"), "utf8")).kdf.N).toBe(1024);
    const list = io(ws.env);
    await runCommand(keysListCommand, [], list.streams);
    expect(list.out.join("")).toMatch(/anthropic\s+yes/);

    const plain = io(ws.env, Readable.from(["other-value"]));
    expect(await runCommand(keysSetCommand, ["anthropic"], plain.streams)).toBe(1);
    expect(plain.err.join("")).toMatch(/is encrypted and ALEPH_VAULT_PASSPHRASE is not set/);

    const wrong = io({ ...ws.env, ALEPH_VAULT_PASSPHRASE: "nope" });
    expect(await runCommand(keysGetCommand, ["anthropic"], wrong.streams)).toBe(1);
    expect(wrong.err.join("")).toMatch(/cannot decrypt key "anthropic": wrong ALEPH_VAULT_PASSPHRASE \(or the file was altered\)/);
    expect(wrong.text()).not.toContain(SECRET);

    const right = io(env);
    expect(await runCommand(keysGetCommand, ["anthropic"], right.streams)).toBe(0);
    expect(right.out.join("")).toBe(`${SECRET}\n`);
  });

  it("set refuses a value on the command line (exit 2) without quoting it, even option-shaped", async () => {
    const ws = workspace();
    for (const argv of [["openai", SECRET], ["openai", `-${SECRET}`], ["openai", `--value=${SECRET}`]]) {
      const run = io(ws.env, Readable.from(["from-stdin"]));
      expect(await runCommand(keysSetCommand, argv, run.streams)).toBe(2);
      expect(run.err.join("")).toMatch(/never taken from the command line.*pipe it in.*type it/);
      expect(run.text()).not.toContain(SECRET);
    }
    expect(() => statSync(join(ws.keys, "openai"))).toThrow(/ENOENT/);
  });

  it("set refuses empty input, a missing name, and bad names", async () => {
    const ws = workspace();
    const empty = io(ws.env, Readable.from(["\n"]));
    expect(await runCommand(keysSetCommand, ["k"], empty.streams)).toBe(1);
    expect(empty.err.join("")).toMatch(/the input was empty/);
    expect(await runCommand(keysSetCommand, [], io(ws.env).streams)).toBe(2);
    for (const name of ["a/b", "..", ""]) {
      for (const command of [keysSetCommand, keysGetCommand, keysRmCommand]) {
        const run = io(ws.env, Readable.from(["value"]));
        expect(await runCommand(command, [name], run.streams)).toBe(1);
        expect(run.err.join("")).toMatch(/ALEPH_E_INVALID_ID: key name/);
      }
    }
  });

  it("set reads a terminal with echo off: raw mode on, nothing echoed, Backspace honoured", async () => {
    const ws = workspace();
    const tty = fakeTty();
    const run = io(ws.env, tty);
    const done = runCommand(keysSetCommand, ["typed"], run.streams);
    await new Promise((r) => setTimeout(r, 20));
    tty.write("sk-tyX\u007fped");
    tty.write("\r");
    expect(await done).toBe(0);
    expect(tty.raw).toEqual([true, false]);
    expect(run.err.join("")).toMatch(/^Value for key "typed" \(input hidden\): \n/);
    expect(run.text()).not.toContain("sk-typed");
    const get = io(ws.env);
    await runCommand(keysGetCommand, ["typed"], get.streams);
    expect(get.out.join("")).toBe("sk-typed\n");
  });

  it("Ctrl-C at the prompt cancels and stores nothing", async () => {
    const ws = workspace();
    const tty = fakeTty();
    const run = io(ws.env, tty);
    const done = runCommand(keysSetCommand, ["typed"], run.streams);
    await new Promise((r) => setTimeout(r, 20));
    tty.write("sk-partial\u0003");
    expect(await done).toBe(1);
    expect(run.err.join("")).toMatch(/cancelled; nothing was stored/);
    expect(tty.raw).toEqual([true, false]);
    expect(() => statSync(join(ws.keys, "typed"))).toThrow(/ENOENT/);
  });
});
