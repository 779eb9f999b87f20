import type { Logger } from "@aleph/plugin-sdk";

/*
 * gateway.log's record of the calls: each call's connection, method, id, time and outcome —
 * never its params. Written in batches, one `calls` line holding the calls of the last quarter
 * second (or of the last 200 calls), not one line each: a log line costs far more than a `status`
 * call (it is serialised, scrubbed, written to the file and to stderr), and the gateway must answer
 * at close to the speed of the socket (bench/gateway-rpc.mjs).
 */

export interface CallRecord {
  conn: string;
  method: string;
  /** The request's id; absent for a notification. */
  id?: string | number | null;
  ms: number;
  ok: boolean;
  /** The JSON-RPC error code, and the Aleph code when there is one. */
  rpcError?: number;
  code?: string;
}

const FLUSH_MS = 250;
const MAX_BATCH = 200;

export class CallLog {
  readonly #log: Logger;
  #pending: CallRecord[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(log: Logger) {
    this.#log = log;
  }

  record(call: CallRecord): void {
    this.#pending.push(call);
    if (this.#pending.length >= MAX_BATCH) this.flush();
    else this.#timer ??= setTimeout(() => this.flush(), FLUSH_MS).unref();
  }

  /** Writes the calls recorded so far (also when the gateway stops). */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.length === 0) return;
    const calls = this.#pending;
    this.#pending = [];
    this.#log.info("calls", { calls });
  }
}
