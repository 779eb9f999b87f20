import type { RpcErrorObject } from "./frames.js";

/** Client-side codes (outside JSON-RPC's reserved range): the call never got an answer. */
export const NOT_CONNECTED = -32098;
export const CONNECTION_LOST = -32099;

/**
 * A JSON-RPC error answer, or a call the connection could not carry. Aleph errors (-32000) carry
 * `data: {code: "ALEPH_E_…", fix?}`: `alephCode` and `fix` read them out for display.
 */
export class RpcError extends Error {
  readonly code: number;
  readonly data: unknown;

  constructor(error: RpcErrorObject) {
    super(error.message);
    this.name = "RpcError";
    this.code = error.code;
    this.data = error.data;
  }

  get alephCode(): string | undefined {
    const data = this.data as { code?: unknown } | undefined;
    return typeof data?.code === "string" ? data.code : undefined;
  }

  get fix(): string | undefined {
    const data = this.data as { fix?: unknown } | undefined;
    return typeof data?.fix === "string" ? data.fix : undefined;
  }

  /** -32029: the gateway's rate limit; data.retryAfterMs says when to try again. */
  get retryAfterMs(): number | undefined {
    const data = this.data as { retryAfterMs?: unknown } | undefined;
    return this.code === -32029 && typeof data?.retryAfterMs === "number" ? data.retryAfterMs : undefined;
  }
}

/** What a view shows for a failed call: the message, the Aleph code when there is one, the fix. */
export function describeError(error: unknown): { code?: string; message: string; fix?: string } {
  if (error instanceof RpcError) {
    return { code: error.alephCode ?? (error.code === NOT_CONNECTED || error.code === CONNECTION_LOST ? undefined : `RPC ${error.code}`), message: error.message, fix: error.fix };
  }
  if (error instanceof Error) return { message: error.message };
  return { message: String(error) };
}
