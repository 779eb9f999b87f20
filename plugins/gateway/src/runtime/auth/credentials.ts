import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

/*
 * The two ways a client proves it has the token (docs/gateway.md, "Authentication"): programs send
 * it as `Authorization: Bearer <token>`; the control page trades it once (POST /auth) for a cookie
 * signed with it. Every comparison takes the same time whatever the input: the values are hashed
 * to equal lengths and compared with timingSafeEqual.
 */

export type AuthMethod = "token" | "cookie" | "none";

export const COOKIE_NAME = "aleph_gateway";
/** Seven days, in seconds (Max-Age) — and inside the signed value, so a kept cookie cannot outlive it. */
export const COOKIE_MAX_AGE_SECONDS = 7 * 24 * 60 * 60;
const COOKIE_VERSION = "v1";

/** a === b, in time that does not depend on where they differ (nor on their lengths). */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash("sha256").update(a, "utf8").digest();
  const hb = createHash("sha256").update(b, "utf8").digest();
  return timingSafeEqual(ha, hb);
}

/** The token of an `Authorization: Bearer <token>` header, if the request has one. */
export function bearerOf(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (typeof header !== "string") return undefined;
  const match = /^Bearer[ \t]+([^\s]+)[ \t]*$/i.exec(header);
  return match?.[1];
}

/** The value of cookie `name`, if the request carries it. */
export function cookieOf(req: IncomingMessage, name: string = COOKIE_NAME): string | undefined {
  const header = req.headers.cookie;
  if (typeof header !== "string") return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function signature(token: string, expiresAt: number): string {
  return createHmac("sha256", token).update(`${COOKIE_NAME}.${COOKIE_VERSION}.${expiresAt}`).digest("base64url");
}

/** A cookie value valid until `now` + 7 days: `v1.<expiry ms>.<HMAC-SHA256 of it, keyed by the token>`. */
export function signCookie(token: string, now: number = Date.now()): { value: string; expiresAt: number } {
  const expiresAt = now + COOKIE_MAX_AGE_SECONDS * 1000;
  return { value: `${COOKIE_VERSION}.${expiresAt}.${signature(token, expiresAt)}`, expiresAt };
}

/** True when `value` was signed with `token` and has not expired. */
export function verifyCookie(token: string, value: string, now: number = Date.now()): boolean {
  const match = /^v1\.(\d{13,15})\.([A-Za-z0-9_-]{43})$/.exec(value);
  if (!match) return false;
  const expiresAt = Number(match[1]);
  // Expired, or further out than this gateway ever signs (someone else's clock, or a forgery).
  if (!(expiresAt > now) || expiresAt > now + COOKIE_MAX_AGE_SECONDS * 1000 + 60_000) return false;
  return safeEqual(signature(token, expiresAt), match[2]!);
}

/** The Set-Cookie header that stores a signed value. */
export function setCookieHeader(value: string): string {
  return `${COOKIE_NAME}=${value}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${COOKIE_MAX_AGE_SECONDS}`;
}

/** The Set-Cookie header that clears it (POST /logout). */
export function clearCookieHeader(): string {
  return `${COOKIE_NAME}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`;
}

/**
 * How a request authenticates with `token`: the Bearer header first, then the cookie; undefined
 * when neither holds (a wrong Bearer header is not rescued by a cookie: it is a wrong token).
 */
export function authenticate(req: IncomingMessage, token: string | undefined, now: number = Date.now()): AuthMethod | undefined {
  if (token === undefined) return undefined;
  const bearer = bearerOf(req);
  if (bearer !== undefined) return safeEqual(bearer, token) ? "token" : undefined;
  const cookie = cookieOf(req);
  if (cookie !== undefined && verifyCookie(token, cookie, now)) return "cookie";
  return undefined;
}
