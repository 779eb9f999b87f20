import type { IncomingMessage, ServerResponse } from "node:http";
import { errorMessage, type Logger } from "@aleph/plugin-sdk";
import { authenticate, clearCookieHeader, safeEqual, setCookieHeader, signCookie } from "../auth/credentials.js";
import type { OriginPolicy } from "../auth/origins.js";
import type { TokenSource } from "../auth/token-source.js";
import { securityHeaders, sendError, sendJson } from "./responses.js";
import type { StaticFiles } from "./static-files.js";

/*
 * The gateway's plain HTTP routes (docs/gateway.md, "HTTP routes"): the control page and its
 * assets, the page's login (POST /auth → a signed HttpOnly cookie), GET /auth, POST /logout and
 * GET /healthz. Everything else is 404. State-changing routes are POSTs that must carry JSON and,
 * from a browser, an allowed Origin: a cross-site form can do neither.
 */

export interface HttpDeps {
  log: Logger;
  requireAuth: boolean;
  tokens: TokenSource;
  origins: OriginPolicy;
  files: StaticFiles;
}

/** The largest body POST /auth reads. */
const MAX_BODY_BYTES = 4096;

const WRONG_TOKEN = {
  code: "ALEPH_E_AUTH",
  message: "that is not the gateway's token",
  fix: "run `aleph gateway token` on the machine running aleph and use what it prints",
};

export function createHttpHandler(deps: HttpDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    route(req, res, deps).catch((error: unknown) => {
      deps.log.error("an HTTP request failed", { method: req.method, path: pathOf(req), error });
      if (!res.headersSent) sendError(res, 500, { code: "ALEPH_E_INTERNAL", message: "the gateway failed to answer: see logs/gateway.log" });
      else res.destroy();
    });
  };
}

function pathOf(req: IncomingMessage): string {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  return q < 0 ? url : url.slice(0, q);
}

/** The WebSocket origins the page may connect to: the gateway's own and the allowed ones, as ws(s). */
function connectSources(origins: OriginPolicy): string[] {
  return [...new Set([...origins.own(), ...origins.list()].map((o) => o.replace(/^http/, "ws")))];
}

async function route(req: IncomingMessage, res: ServerResponse, deps: HttpDeps): Promise<void> {
  for (const [name, value] of Object.entries(securityHeaders(connectSources(deps.origins)))) res.setHeader(name, value);
  const path = pathOf(req);
  const method = req.method ?? "GET";
  const read = method === "GET" || method === "HEAD";

  if (path === "/healthz") {
    if (!read) return methodNotAllowed(res, "GET, HEAD");
    return sendJson(res, 200, { ok: true });
  }
  if (path === "/auth") {
    if (read) return sendJson(res, 200, { authenticated: !deps.requireAuth || authenticate(req, await deps.tokens.current()) !== undefined, required: deps.requireAuth });
    if (method === "POST") return login(req, res, deps);
    return methodNotAllowed(res, "GET, HEAD, POST");
  }
  if (path === "/logout") {
    if (method !== "POST") return methodNotAllowed(res, "POST");
    if (!originAllowed(req, res, deps)) return;
    return sendJson(res, 200, { ok: true }, { "set-cookie": clearCookieHeader() });
  }
  if (path === "/" || path === "/index.html" || path.startsWith("/assets/")) {
    if (!read) return methodNotAllowed(res, "GET, HEAD");
    const file = await deps.files.get(path);
    if (!file) return sendError(res, 404, { code: "ALEPH_E_NOT_FOUND", message: `no file ${path}` });
    res.writeHead(200, {
      "content-type": file.type,
      "content-length": String(file.body.length),
      "cache-control": file.cache === "immutable" ? "public, max-age=31536000, immutable" : "no-cache",
    });
    res.end(method === "HEAD" ? undefined : file.body);
    return;
  }
  sendError(res, 404, { code: "ALEPH_E_NOT_FOUND", message: `no route ${path}`, fix: "the gateway serves /, /assets/*, /auth, /logout and /healthz; the WebSocket endpoint is the root path" });
}

function methodNotAllowed(res: ServerResponse, allow: string): void {
  sendError(res, 405, { code: "ALEPH_E_USAGE", message: `use ${allow}` }, { allow });
}

/** Refuses (403) a browser request from an origin that is not allowed; true when it may go on. */
function originAllowed(req: IncomingMessage, res: ServerResponse, deps: HttpDeps): boolean {
  const origin = req.headers.origin;
  if (deps.origins.allows(origin)) return true;
  deps.log.warn("request refused: origin not allowed", { path: pathOf(req), origin, remote: req.socket.remoteAddress });
  sendError(res, 403, { code: "ALEPH_E_ORIGIN", message: `origin ${origin} is not allowed`, fix: "open the control page from the gateway's own address, or add the origin to [gateway] allowed_origins" });
  return false;
}

/** POST /auth {"token": "…"}: the right token gets the signed cookie. */
async function login(req: IncomingMessage, res: ServerResponse, deps: HttpDeps): Promise<void> {
  if (!originAllowed(req, res, deps)) return;
  const type = req.headers["content-type"] ?? "";
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    return sendError(res, 415, { code: "ALEPH_E_USAGE", message: "POST /auth takes JSON", fix: 'send Content-Type: application/json and {"token": "…"}' });
  }
  let body: unknown;
  try {
    body = JSON.parse(await readBody(req, MAX_BODY_BYTES));
  } catch (error) {
    const tooLarge = error instanceof BodyTooLarge;
    return sendError(res, tooLarge ? 413 : 400, { code: "ALEPH_E_USAGE", message: tooLarge ? `the body is over ${MAX_BODY_BYTES} bytes` : `the body is not JSON: ${errorMessage(error)}`, fix: 'send {"token": "…"}' });
  }
  const given = (body as { token?: unknown } | null)?.token;
  if (typeof given !== "string" || given.length === 0) return sendError(res, 400, { code: "ALEPH_E_USAGE", message: 'the body has no "token"', fix: 'send {"token": "…"}' });
  if (!deps.requireAuth) return sendJson(res, 200, { authenticated: true, required: false });
  const token = await deps.tokens.current();
  if (token === undefined) {
    return sendError(res, 503, { code: "ALEPH_E_VAULT", message: "the gateway has no token to check against", fix: "run `aleph gateway token` on the machine running aleph (it generates one), then log in with it" });
  }
  if (!safeEqual(given, token)) {
    deps.log.warn("login refused: wrong token", { remote: req.socket.remoteAddress, origin: req.headers.origin, userAgent: req.headers["user-agent"] });
    return sendError(res, 401, WRONG_TOKEN);
  }
  const cookie = signCookie(token);
  deps.log.info("logged in", { remote: req.socket.remoteAddress, origin: req.headers.origin, userAgent: req.headers["user-agent"] });
  sendJson(res, 200, { authenticated: true, required: true, expiresAt: cookie.expiresAt }, { "set-cookie": setCookieHeader(cookie.value) });
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLarge());
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
