import { afterEach, describe, expect, test, vi } from "vitest";
import { newIdempotencyKey } from "../src/chat/idempotency-key.js";
import { compactJson, formatAgo, formatDuration } from "../src/format.js";
import { parseRoute, routeHref } from "../src/hooks/use-route.js";
import { describeError, RpcError } from "../src/rpc/errors.js";

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("hash routes", () => {
  test("a view, a percent-encoded argument and a query", () => {
    const route = parseRoute("#/sessions/agent%3Amain%3Amain?agent=main");
    expect(route.view).toBe("sessions");
    expect(route.arg).toBe("agent:main:main");
    expect(route.query.get("agent")).toBe("main");
  });

  test("an empty hash is the status view; a broken escape is taken as written", () => {
    expect(parseRoute("")).toMatchObject({ view: "status", arg: undefined });
    expect(parseRoute("#/")).toMatchObject({ view: "status" });
    expect(parseRoute("#/chats/50%")).toMatchObject({ view: "chats", arg: "50%" });
  });

  test("routeHref and parseRoute round-trip, leaving out empty query values", () => {
    const href = routeHref("chat", undefined, { agent: "main", session: "agent:main:telegram:dm:42", none: "" });
    expect(href).toBe("#/chat?agent=main&session=agent%3Amain%3Atelegram%3Adm%3A42");
    expect(parseRoute(href).query.get("session")).toBe("agent:main:telegram:dm:42");
    expect(parseRoute(routeHref("sessions", "subagent:agent:main:a/b"))).toMatchObject({ arg: "subagent:agent:main:a/b" });
  });
});

describe("idempotency keys", () => {
  afterEach(() => vi.unstubAllGlobals());

  test("are fresh v4 UUIDs", () => {
    const a = newIdempotencyKey();
    expect(a).toMatch(UUID_V4);
    expect(newIdempotencyKey()).not.toBe(a);
  });

  test("come from getRandomValues where randomUUID is missing (plain http on another host)", () => {
    const real = globalThis.crypto;
    vi.stubGlobal("crypto", { getRandomValues: (bytes: Uint8Array) => real.getRandomValues(bytes) });
    expect(newIdempotencyKey()).toMatch(UUID_V4);
  });
});

describe("formatting", () => {
  test("durations and ages", () => {
    expect(formatDuration(42_000)).toBe("42 s");
    expect(formatDuration(185_000)).toBe("3 min 5 s");
    expect(formatDuration(2 * 3600_000 + 14 * 60_000)).toBe("2 h 14 min");
    expect(formatDuration(3 * 86400_000 + 4 * 3600_000)).toBe("3 d 4 h");
    expect(formatDuration(-1)).toBe("—");
    expect(formatAgo(undefined, 0)).toBe("never");
    expect(formatAgo(1000, 13_500)).toBe("12 s ago");
  });

  test("compact JSON is cut with an ellipsis and survives values JSON cannot write", () => {
    expect(compactJson({ a: "x".repeat(50) }, 20)).toHaveLength(20);
    expect(compactJson({ a: "x".repeat(50) }, 20).endsWith("…")).toBe(true);
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(compactJson(loop)).toBe("[object Object]");
    expect(compactJson(undefined)).toBe("undefined");
  });
});

describe("describeError", () => {
  test("an Aleph error shows its code and fix; a lost connection no RPC code", () => {
    expect(describeError(new RpcError({ code: -32000, message: "m", data: { code: "ALEPH_E_X", fix: "f" } }))).toEqual({ code: "ALEPH_E_X", message: "m", fix: "f" });
    expect(describeError(new RpcError({ code: -32602, message: "invalid params" }))).toEqual({ code: "RPC -32602", message: "invalid params", fix: undefined });
    expect(describeError(new RpcError({ code: -32099, message: "closed" }))).toEqual({ code: undefined, message: "closed", fix: undefined });
    expect(describeError("plain")).toEqual({ message: "plain" });
  });
});
