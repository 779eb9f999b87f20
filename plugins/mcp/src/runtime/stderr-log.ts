import type { Readable } from "node:stream";
import type { Logger } from "@aleph/plugin-sdk";

/*
 * A stdio server's stderr, captured instead of inherited (it would land in the kernel's terminal,
 * or nowhere under the supervisor): each line goes to the plugin's log, cut to a sane length and
 * rate-limited so a server that floods stderr cannot flood the log; the last lines are kept for
 * `aleph mcp list`, where a server that will not start usually says why. The logger scrubs known
 * secrets; the kept lines are scrubbed when shown.
 */

const MAX_LINE_CHARS = 500;
const MAX_PARTIAL_CHARS = 8192;
const LINES_PER_WINDOW = 20;
const WINDOW_MS = 10_000;
const TAIL_LINES = 10;

export class StderrLog {
  readonly #tail: string[] = [];
  #partial = "";
  #windowStart = 0;
  #logged = 0;
  #dropped = 0;

  constructor(
    private readonly log: Logger,
    private readonly server: string,
  ) {}

  attach(stream: Readable | null | undefined): void {
    if (!stream) return;
    stream.setEncoding?.("utf8");
    stream.on("data", (chunk: string | Buffer) => this.write(String(chunk)));
    stream.on("error", () => undefined); // the process is gone: nothing more to read
  }

  write(chunk: string): void {
    this.#partial += chunk;
    let newline: number;
    while ((newline = this.#partial.indexOf("\n")) >= 0) {
      this.#line(this.#partial.slice(0, newline));
      this.#partial = this.#partial.slice(newline + 1);
    }
    if (this.#partial.length > MAX_PARTIAL_CHARS) {
      this.#line(this.#partial);
      this.#partial = "";
    }
  }

  /** The last lines written, oldest first. */
  tail(): string[] {
    return [...this.#tail];
  }

  #line(raw: string): void {
    const line = raw.replace(/\r$/, "");
    if (!line.trim()) return;
    const text = line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS)}… [${line.length - MAX_LINE_CHARS} more characters]` : line;
    this.#tail.push(text);
    if (this.#tail.length > TAIL_LINES) this.#tail.shift();
    const now = Date.now();
    if (now - this.#windowStart >= WINDOW_MS) {
      if (this.#dropped > 0) this.log.info("MCP server stderr: lines left out (rate limit)", { server: this.server, dropped: this.#dropped });
      this.#windowStart = now;
      this.#logged = 0;
      this.#dropped = 0;
    }
    if (this.#logged >= LINES_PER_WINDOW) {
      this.#dropped++;
      return;
    }
    this.#logged++;
    this.log.info("MCP server stderr", { server: this.server, line: text });
  }
}
