import { stat } from "node:fs/promises";
import { keyFile, readKey, errorMessage, type Logger } from "@aleph/plugin-sdk";
import { GATEWAY_TOKEN_KEY, type VaultLocation } from "../../token.js";

/*
 * The token as the vault holds it now. Read once and kept, and read again when its file changes
 * (`aleph keys set gateway-token` rotates it: the next login needs the new one and every cookie
 * signed with the old one stops working). A stat per check is the price; decrypting (scrypt) is
 * paid once per version of the file, not per connection.
 */

interface Cached {
  value: string;
  /** The file's identity (inode, size, mtime) when the value was read. */
  identity: string;
}

export class TokenSource {
  readonly #vault: VaultLocation;
  readonly #log: Logger;
  #cached: Cached | undefined;
  #reading: { identity: string; promise: Promise<string | undefined> } | undefined;
  #reported: string | undefined;

  constructor(vault: VaultLocation, log: Logger) {
    this.#vault = vault;
    this.#log = log;
  }

  /** The last token read (for scrubbing it out of what the gateway sends), if any. */
  get known(): string | undefined {
    return this.#cached?.value;
  }

  /** The token now, or undefined when the vault has none or it cannot be read (said once in the log). */
  async current(): Promise<string | undefined> {
    const file = keyFile(this.#vault.dir, GATEWAY_TOKEN_KEY);
    let identity: string;
    try {
      const s = await stat(file);
      identity = `${s.ino}:${s.size}:${s.mtimeMs}`;
    } catch (error) {
      this.#report("missing", "the vault has no gateway token, so no client can authenticate", { fix: "run `aleph gateway token` (it generates one)", error: errorMessage(error) });
      return undefined;
    }
    if (this.#cached?.identity === identity) return this.#cached.value;
    if (this.#reading?.identity !== identity) {
      const promise = readKey(this.#vault.dir, GATEWAY_TOKEN_KEY, this.#vault.passphrase).then(
        (value) => {
          this.#cached = { value, identity };
          this.#reported = undefined;
          return value;
        },
        (error: unknown) => {
          this.#report("unreadable", "the gateway token cannot be read from the vault, so no client can authenticate", { error: errorMessage(error) });
          return undefined;
        },
      );
      this.#reading = { identity, promise };
    }
    return this.#reading!.promise;
  }

  #report(kind: string, message: string, fields: Record<string, unknown>): void {
    if (this.#reported === kind) return;
    this.#reported = kind;
    this.#log.error(message, fields);
  }
}
