import { isLoopbackHost, normalizeOrigin } from "../../config.js";
import { urlHost } from "../../listen-file.js";

/*
 * Which browser origins may talk to the gateway (docs/gateway.md, "Origin"). A request without an
 * Origin header is not a browser's (or a browser's same-origin GET); it still needs the token. One
 * with an Origin must match the allow-list: `[gateway] allowed_origins`, or by default the
 * gateway's own origins — what a browser that loaded the control page from it sends.
 */

export class OriginPolicy {
  readonly #configured: string[];
  readonly #address: () => { host: string; port: number };

  constructor(configured: readonly string[], address: () => { host: string; port: number }) {
    this.#configured = configured.map((o) => normalizeOrigin(o) ?? o);
    this.#address = address;
  }

  /** The gateway's own origins: http://<host>:<port>, and for a loopback or wildcard host the loopback aliases. */
  own(): string[] {
    const { host, port } = this.#address();
    const wildcard = host === "0.0.0.0" || host === "::";
    const origins = wildcard ? [] : [`http://${urlHost(host)}:${port}`];
    if (wildcard || isLoopbackHost(host)) origins.push(`http://127.0.0.1:${port}`, `http://localhost:${port}`, `http://[::1]:${port}`);
    return [...new Set(origins.map((o) => normalizeOrigin(o) ?? o))];
  }

  /** The origins allowed now (the configured list, or the gateway's own). */
  list(): string[] {
    return this.#configured.length > 0 ? this.#configured : this.own();
  }

  /** Whether a request's Origin header (undefined: none) is acceptable. */
  allows(origin: string | undefined): boolean {
    if (origin === undefined) return true;
    const normalized = normalizeOrigin(origin);
    return normalized !== undefined && this.list().includes(normalized);
  }
}
