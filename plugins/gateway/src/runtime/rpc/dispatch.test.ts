import * as z from "@aleph/zod/mini";
import { describe, expect, it } from "vitest";
import { AlephError, type Logger } from "@aleph/plugin-sdk";
import { CallLog } from "./call-log.js";
import type { RpcClient } from "./client.js";
import { createDispatcher, method } from "./dispatch.js";

/** A logger that keeps its lines (what gateway.log would get). */
function recordingLogger(): Logger & { lines: { level: string; msg: string; fields?: Record<string, unknown> }[] } {
  const lines: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
  const at = (level: string) => (msg: string, fields?: Record<string, unknown>) => void lines.push({ level, msg, ...(fields ? { fields } : {}) });
  const logger = { lines, trace: at("trace"), debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error"), child: () => logger };
  return logger;
}

const client: RpcClient = { id: "1.1", signal: new AbortController().signal, notify: () => undefined, subscriptions: new Map(), runningTurns: 0 };

describe("the dispatcher", () => {
  const log = recordingLogger();
  const calls = new CallLog(log);
  const dispatch = createDispatcher(
    {
      echo: method({ params: z.strictObject({ text: z.string() }), run: (p) => p.text }),
      broken: method({ run: () => { throw new TypeError("x is not a function"); } }),
      refusing: method({ run: () => { throw new AlephError("ALEPH_E_NOT_FOUND", "no such thing", { fix: "look elsewhere" }); } }),
    },
    log,
    calls,
  );

  it("answers results, and turns whatever a method throws into a JSON-RPC error (never out of the dispatcher)", async () => {
    expect(await dispatch({ id: 1, method: "echo", params: { text: "hi" } }, client)).toEqual({ jsonrpc: "2.0", id: 1, result: "hi" });
    expect(await dispatch({ id: 2, method: "broken", params: undefined }, client)).toEqual({ jsonrpc: "2.0", id: 2, error: { code: -32603, message: "internal error in broken: x is not a function" } });
    expect(log.lines.find((l) => l.level === "error")).toMatchObject({ msg: "a method failed", fields: { conn: "1.1", method: "broken" } });
    expect(await dispatch({ id: 3, method: "refusing", params: {} }, client)).toEqual({ jsonrpc: "2.0", id: 3, error: { code: -32000, message: "no such thing", data: { code: "ALEPH_E_NOT_FOUND", fix: "look elsewhere" } } });
    expect(await dispatch({ id: 4, method: "echo", params: { text: 5, extra: true } }, client)).toMatchObject({ id: 4, error: { code: -32602, data: { issues: [{ path: "text" }, { path: "" }] } } });
    expect(await dispatch({ id: 5, method: "hasOwnProperty", params: {} }, client)).toMatchObject({ id: 5, error: { code: -32601 } });
    expect(await dispatch({ id: undefined, method: "echo", params: { text: "quiet" } }, client)).toBeUndefined();
  });

  it("records every call — method, id, time, outcome — and never its params", () => {
    calls.flush();
    const batch = log.lines.filter((l) => l.msg === "calls").flatMap((l) => l.fields!.calls as Record<string, unknown>[]);
    expect(batch.map((c) => [c.method, c.id, c.ok, c.rpcError, c.code])).toEqual([
      ["echo", 1, true, undefined, undefined],
      ["broken", 2, false, -32603, undefined],
      ["refusing", 3, false, -32000, "ALEPH_E_NOT_FOUND"],
      ["echo", 4, false, -32602, undefined],
      ["hasOwnProperty", 5, false, -32601, undefined],
      ["echo", undefined, true, undefined, undefined],
    ]);
    expect(JSON.stringify(log.lines)).not.toContain("quiet");
    expect(JSON.stringify(log.lines)).not.toContain('"hi"');
  });
});
