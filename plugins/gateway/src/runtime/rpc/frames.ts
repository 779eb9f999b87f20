import { errorResponse, INVALID_REQUEST, PARSE_ERROR, RATE_LIMITED, readRequest, type RpcRequest } from "./protocol.js";

/*
 * One text frame in, at most one frame out: a request gets its response, a batch (an array) the
 * array of its responses (notifications leave no entry; a batch of notifications, no frame), a
 * notification nothing. Requests of a batch run concurrently, as separate frames would.
 */

/** The most requests one batch may hold. */
export const MAX_BATCH = 100;

export interface FrameHandlers {
  /** Runs one request; its response, or undefined for a notification. */
  run(request: RpcRequest): Promise<object | undefined>;
  /** A batch costs one unit of the rate limit per request; false: over the limit (retry after `retryAfterMs`). */
  admitBatch(extra: number): { ok: true } | { ok: false; retryAfterMs: number };
}

export async function answerFrame(text: string, handlers: FrameHandlers): Promise<object | object[] | undefined> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return errorResponse(null, { code: PARSE_ERROR, message: `parse error: ${(error as Error).message}` });
  }
  if (!Array.isArray(value)) return answerOne(value, handlers);
  if (value.length === 0) return errorResponse(null, { code: INVALID_REQUEST, message: "an empty batch" });
  if (value.length > MAX_BATCH) return errorResponse(null, { code: INVALID_REQUEST, message: `a batch holds at most ${MAX_BATCH} requests; this one has ${value.length}` });
  const admitted = handlers.admitBatch(value.length - 1);
  if (!admitted.ok) return errorResponse(null, { code: RATE_LIMITED, message: "rate limited: the batch was not run", data: { retryAfterMs: admitted.retryAfterMs } });
  const answers = await Promise.all(value.map((item) => answerOne(item, handlers)));
  const responses = answers.filter((a): a is object => a !== undefined);
  return responses.length > 0 ? responses : undefined;
}

function answerOne(value: unknown, handlers: FrameHandlers): Promise<object | undefined> | object {
  const read = readRequest(value);
  if ("error" in read) return errorResponse(read.id, read.error);
  return handlers.run(read.request);
}
