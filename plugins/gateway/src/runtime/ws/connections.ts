import type { Connection } from "./connection.js";

/*
 * The open connections of one gateway generation: counted for max_connections and status, pinged
 * every 30 s (a peer that did not answer the previous ping is gone: its connection is cut, so a
 * vanished laptop does not hold a slot and its turns forever), and closed together when the
 * gateway stops.
 */

const HEARTBEAT_MS = 30_000;

export class Connections {
  readonly #open = new Set<Connection>();
  #timer: NodeJS.Timeout | undefined;
  #next = 0;

  constructor(readonly prefix: string) {}

  get size(): number {
    return this.#open.size;
  }

  /** A new connection id: `<generation>.<n>`. */
  nextId(): string {
    return `${this.prefix}.${++this.#next}`;
  }

  add(connection: Connection): void {
    this.#open.add(connection);
    this.#timer ??= setInterval(() => this.#heartbeat(), HEARTBEAT_MS).unref();
  }

  delete(connection: Connection): void {
    this.#open.delete(connection);
    if (this.#open.size === 0 && this.#timer) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }

  #heartbeat(): void {
    for (const connection of this.#open) {
      if (!connection.alive) {
        connection.terminate();
        continue;
      }
      connection.alive = false;
      connection.ping();
    }
  }

  /** Closes every connection with `code`; cuts those still open after `graceMs`. */
  async closeAll(code: number, reason: string, graceMs: number): Promise<void> {
    const open = [...this.#open];
    for (const connection of open) connection.close(code, reason);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(open.map((c) => c.closed())), new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    for (const connection of open) connection.terminate();
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
