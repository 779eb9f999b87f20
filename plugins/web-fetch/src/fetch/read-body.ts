import type { IncomingMessage } from "node:http";
import { pipeline, type Readable } from "node:stream";
import { createBrotliDecompress, createGunzip, createInflate } from "node:zlib";
import { AlephError } from "@aleph/plugin-sdk";

/*
 * Reads a response body up to a byte cap, decompressing gzip, deflate and br. The cap counts
 * decompressed bytes, and reading stops as soon as it is reached: a small compressed body that
 * inflates to gigabytes (a zip bomb) costs at most the cap.
 */

export interface Body {
  bytes: Buffer;
  /** True when the body went on past the cap (what follows was not read). */
  truncated: boolean;
}

export async function readBody(response: IncomingMessage, maxBytes: number, signal: AbortSignal): Promise<Body> {
  const decoded = decodedStream(response);
  // Destroying the stream ends the for-await below with the signal's reason (timeout or cancel).
  const onAbort = () => decoded.destroy(signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason)));
  if (signal.aborted) onAbort();
  else signal.addEventListener("abort", onAbort, { once: true });
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  try {
    for await (const chunk of decoded as AsyncIterable<Buffer>) {
      if (size + chunk.length > maxBytes) {
        chunks.push(chunk.subarray(0, maxBytes - size));
        size = maxBytes;
        truncated = true;
        break;
      }
      chunks.push(chunk);
      size += chunk.length;
    }
  } finally {
    signal.removeEventListener("abort", onAbort);
    decoded.destroy();
    response.destroy();
  }
  return { bytes: Buffer.concat(chunks, size), truncated };
}

function decodedStream(response: IncomingMessage): Readable {
  const encoding = String(response.headers["content-encoding"] ?? "identity").trim().toLowerCase();
  const decoder =
    encoding === "gzip" || encoding === "x-gzip" ? createGunzip() : encoding === "deflate" ? createInflate() : encoding === "br" ? createBrotliDecompress() : undefined;
  if (encoding === "identity" || encoding === "") return response;
  if (!decoder) {
    response.destroy();
    throw new AlephError("ALEPH_E_TOOL", `the response is encoded as "${encoding}", which web_fetch cannot decode (it asks for gzip, deflate or br)`, { fix: "fetch another URL" });
  }
  // pipeline: an error on either side (a reset connection, corrupt gzip) ends the other with it.
  pipeline(response, decoder, () => undefined);
  return decoder;
}
