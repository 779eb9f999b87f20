import type { ServerResponse } from "node:http";

/*
 * What every HTTP answer of the gateway carries, and its JSON answers. The control page is
 * served under a strict Content-Security-Policy: its own scripts, styles and images only, no
 * inline script, WebSocket connections only to the gateway itself, never framed.
 */

export function securityHeaders(connectSources: readonly string[]): Record<string, string> {
  const connect = ["'self'", ...connectSources].join(" ");
  return {
    "content-security-policy": [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data:",
      "font-src 'self'",
      `connect-src ${connect}`,
      "object-src 'none'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
      "form-action 'self'",
    ].join("; "),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
  };
}

export interface HttpError {
  code: string;
  message: string;
  fix?: string;
}

/** A JSON answer (never cached: it says something about this moment or this client). */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string | string[]> = {}): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, {
    ...headers,
    "content-type": "application/json; charset=utf-8",
    "content-length": String(Buffer.byteLength(text)),
    "cache-control": "no-store",
  });
  res.end(res.req.method === "HEAD" ? undefined : text);
}

/** An error answer: `{"error": {code, message, fix?}}`. */
export function sendError(res: ServerResponse, status: number, error: HttpError, headers: Record<string, string | string[]> = {}): void {
  sendJson(res, status, { error }, headers);
}
