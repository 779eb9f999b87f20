import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { authenticate, bearerOf, cookieOf, COOKIE_MAX_AGE_SECONDS, safeEqual, signCookie, verifyCookie } from "./credentials.js";

const request = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;
const TOKEN = "t".repeat(43);
const NOW = 1_800_000_000_000;

describe("credentials", () => {
  it("compares tokens exactly, whatever their lengths", () => {
    expect(safeEqual(TOKEN, TOKEN)).toBe(true);
    expect(safeEqual(TOKEN, `${TOKEN}x`)).toBe(false);
    expect(safeEqual(TOKEN, "")).toBe(false);
    expect(safeEqual("", "")).toBe(true);
  });

  it("reads a Bearer header and a cookie, and nothing that only looks like them", () => {
    expect(bearerOf(request({ authorization: `Bearer ${TOKEN}` }))).toBe(TOKEN);
    expect(bearerOf(request({ authorization: `bearer  ${TOKEN} ` }))).toBe(TOKEN);
    expect(bearerOf(request({ authorization: `Basic ${TOKEN}` }))).toBeUndefined();
    expect(bearerOf(request({ authorization: `Bearer a b` }))).toBeUndefined();
    expect(cookieOf(request({ cookie: "theme=dark; aleph_gateway=v1.x.y; other=1" }))).toBe("v1.x.y");
    expect(cookieOf(request({ cookie: "xaleph_gateway=v1.x.y" }))).toBeUndefined();
  });

  it("signs a cookie valid for seven days, bound to the token and its expiry", () => {
    const { value, expiresAt } = signCookie(TOKEN, NOW);
    expect(expiresAt).toBe(NOW + COOKIE_MAX_AGE_SECONDS * 1000);
    expect(value).toMatch(/^v1\.\d+\.[A-Za-z0-9_-]{43}$/);
    expect(value).not.toContain(TOKEN);
    expect(verifyCookie(TOKEN, value, NOW)).toBe(true);
    expect(verifyCookie(TOKEN, value, expiresAt - 1)).toBe(true);
    expect(verifyCookie(TOKEN, value, expiresAt)).toBe(false); // expired
    expect(verifyCookie("another-token", value, NOW)).toBe(false); // the token changed
    const [, , sig] = value.split(".");
    expect(verifyCookie(TOKEN, `v1.${expiresAt + 1}.${sig}`, NOW)).toBe(false); // expiry moved
    expect(verifyCookie(TOKEN, `v2.${expiresAt}.${sig}`, NOW)).toBe(false);
    expect(verifyCookie(TOKEN, "garbage", NOW)).toBe(false);
    // An expiry further out than the gateway ever signs is a forgery, even well signed.
    const far = signCookie(TOKEN, NOW + 30 * 24 * 3600 * 1000).value;
    expect(verifyCookie(TOKEN, far, NOW)).toBe(false);
  });

  it("authenticates by the Bearer header first, else by the cookie", () => {
    const cookie = `aleph_gateway=${signCookie(TOKEN, NOW).value}`;
    expect(authenticate(request({ authorization: `Bearer ${TOKEN}` }), TOKEN, NOW)).toBe("token");
    expect(authenticate(request({ cookie }), TOKEN, NOW)).toBe("cookie");
    expect(authenticate(request({ cookie, authorization: "Bearer wrong" }), TOKEN, NOW)).toBeUndefined();
    expect(authenticate(request({}), TOKEN, NOW)).toBeUndefined();
    expect(authenticate(request({ authorization: `Bearer ${TOKEN}` }), undefined, NOW)).toBeUndefined();
  });
});
