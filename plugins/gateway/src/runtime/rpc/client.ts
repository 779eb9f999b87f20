import type { Disposable } from "@aleph/plugin-sdk";

/** One connected client as the methods see it: where notifications go, what it holds. */
export interface RpcClient {
  /** The connection's id in gateway.log. */
  readonly id: string;
  /** Aborted when the connection closes: its turns stop, its subscriptions end. */
  readonly signal: AbortSignal;
  /** Sends a notification (`{"jsonrpc":"2.0","method":…,"params":…}`), if the connection is still open. */
  notify(method: string, params: unknown): void;
  /** Its event subscriptions, by id. */
  readonly subscriptions: Map<string, Disposable>;
  /** chat.send calls of this connection running now. */
  runningTurns: number;
}
