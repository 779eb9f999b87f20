import { audited, AlephError, keyInfo, listKeys, readKey, removeKey, validateId, VAULT_PASSPHRASE_ENV, writeKey } from "@aleph/plugin-sdk";
import { resolvePaths, type AlephPaths } from "@aleph/kernel";
import { UsageError, type Command, type CommandContext } from "../command.js";
import { runningKernel } from "../kernel-handle/running-kernel.js";
import { json, table } from "../output.js";

/*
 * `aleph keys …`: the keys vault (keys/ or ALEPH_CREDENTIALS_DIR), through the SDK's one
 * implementation. A value never comes from argv and is never printed except by `keys get`.
 */

/** The largest value `keys set` accepts. */
const MAX_VALUE_BYTES = 1024 * 1024;

const NEVER_FROM_ARGV =
  "a key's value is never taken from the command line (it would stay in your shell history and show in `ps`): " +
  "pipe it in, e.g. `printf %s \"$VALUE\" | aleph keys set <name>`, or run `aleph keys set <name>` in a terminal and type it";

function passphraseOf(env: NodeJS.ProcessEnv): string | undefined {
  return env[VAULT_PASSPHRASE_ENV] || undefined;
}

function oneName(args: string[]): string {
  if (args.length !== 1) throw new UsageError(args.length === 0 ? "expected a key name" : "expected one key name");
  return args[0]!;
}

/** A running kernel resolved `keys:` references when it loaded its config; say how it sees a change. */
function noteRunningKernel(paths: AlephPaths, err: CommandContext["err"]): void {
  const kernel = runningKernel(paths);
  if (kernel) err(`note: the running kernel (pid ${kernel.pid}) reads keys when it loads its config: it sees this change at its next config reload (a change to config.toml or providers.toml) or restart\n`);
}

/** All of a non-TTY stdin, minus one trailing newline. */
async function readPiped(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > MAX_VALUE_BYTES) throw new AlephError("ALEPH_E_VAULT", `the value on stdin is over ${MAX_VALUE_BYTES} bytes`, { fix: "store a smaller value" });
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8").replace(/\r?\n$/, "");
}

/** Reads one line from a terminal with echo off (raw mode); Ctrl-C cancels, Backspace erases. */
function promptHidden(stdin: NodeJS.ReadStream, err: CommandContext["err"], prompt: string): Promise<string> {
  err(prompt);
  return new Promise((resolve, reject) => {
    let value = "";
    const finish = (error?: Error) => {
      stdin.removeListener("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
      err("\n");
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: Buffer | string) => {
      for (const char of typeof chunk === "string" ? chunk : chunk.toString("utf8")) {
        if (char === "\r" || char === "\n" || char === "\u0004") return finish();
        if (char === "\u0003") return finish(new AlephError("ALEPH_E_VAULT", "cancelled; nothing was stored"));
        if (char === "\u007f" || char === "\b") value = Array.from(value).slice(0, -1).join("");
        else value += char;
      }
    };
    stdin.setRawMode(true);
    stdin.on("data", onData);
    stdin.resume();
  });
}

export const keysSetCommand: Command = {
  name: "keys set",
  args: "<name>",
  summary: "Store a secret in the keys vault (from stdin, or typed at a hidden prompt; never from argv)",
  details: [
    "The value is read from stdin (all of it, minus one trailing newline) or, when stdin is a terminal,",
    "typed at a prompt that does not echo. It is never taken from the command line.",
    `With ${VAULT_PASSPHRASE_ENV} set the value is encrypted (AES-256-GCM, scrypt); without it, stored as is.`,
    "Either way the file is 0600 in a 0700 directory. An encrypted key is not replaced without the passphrase.",
    "Reference it from config.toml or providers.toml as a whole value: api_key = \"keys:<name>\".",
    "",
    "  printf %s \"$OPENAI_API_KEY\" | aleph keys set openai",
  ].join("\n"),
  secretArgs: NEVER_FROM_ARGV,
  async run({ args, env, cwd, out, err, stdin }) {
    if (args.length === 0) throw new UsageError("expected a key name");
    if (args.length > 1) throw new UsageError(NEVER_FROM_ARGV);
    const name = validateId("key name", args[0]);
    const paths = resolvePaths({ env, cwd });
    const passphrase = passphraseOf(env);
    const existing = await keyInfo(paths.credentialsDir, name);
    if (existing?.encrypted && !passphrase) {
      throw new AlephError("ALEPH_E_VAULT", `key "${name}" is encrypted and ${VAULT_PASSPHRASE_ENV} is not set; storing it again would leave it unencrypted`, {
        fix: `set ${VAULT_PASSPHRASE_ENV}, or remove the key first with \`aleph keys rm ${name}\``,
      });
    }
    const input = stdin ?? process.stdin;
    const value = input.isTTY ? await promptHidden(input, err, `Value for key "${name}" (input hidden): `) : await readPiped(input);
    if (value.length === 0) {
      throw new AlephError("ALEPH_E_VAULT", `no value for key "${name}": the input was empty`, {
        fix: `pipe the value in (\`printf %s "$VALUE" | aleph keys set ${name}\`) or type it at the prompt`,
      });
    }
    // The audit line names the key, never its value.
    await audited(paths.root, { actor: "cli", action: "keys.set", target: name }, async () => writeKey(paths.credentialsDir, name, value, passphrase));
    out(`Stored key "${name}" in ${paths.credentialsDir} (${passphrase ? "encrypted" : `not encrypted: ${VAULT_PASSPHRASE_ENV} is not set`}).\n`);
    noteRunningKernel(paths, err);
    return 0;
  },
};

export const keysGetCommand: Command = {
  name: "keys get",
  args: "<name>",
  summary: "Print a key's value to stdout",
  details: `Prints the value and a newline. An encrypted key needs ${VAULT_PASSPHRASE_ENV}; a wrong one is an error (exit 1).`,
  async run({ args, env, cwd, out }) {
    const name = oneName(args);
    const paths = resolvePaths({ env, cwd });
    out(`${await readKey(paths.credentialsDir, name, passphraseOf(env))}\n`);
    return 0;
  },
};

export const keysListCommand: Command = {
  name: "keys list",
  summary: "List the keys in the vault (names and whether each is encrypted; never values)",
  options: { json: { type: "boolean", description: "Print JSON: [{name, encrypted}]" } },
  async run({ args, options, env, cwd, out }) {
    if (args.length > 0) throw new UsageError("takes no arguments");
    const paths = resolvePaths({ env, cwd });
    const keys = await listKeys(paths.credentialsDir);
    if (options.json) out(json(keys));
    else if (keys.length === 0) out(`No keys in ${paths.credentialsDir}.\n`);
    else out(table([["NAME", "ENCRYPTED"], ...keys.map((k) => [k.name, k.encrypted ? "yes" : "no"])]));
    return 0;
  },
};

export const keysRmCommand: Command = {
  name: "keys rm",
  args: "<name>",
  summary: "Remove a key from the vault",
  async run({ args, env, cwd, out, err }) {
    const name = oneName(args);
    const paths = resolvePaths({ env, cwd });
    await audited(paths.root, { actor: "cli", action: "keys.rm", target: name }, async () => removeKey(paths.credentialsDir, name));
    out(`Removed key "${name}" from ${paths.credentialsDir}.\n`);
    noteRunningKernel(paths, err);
    return 0;
  },
};
