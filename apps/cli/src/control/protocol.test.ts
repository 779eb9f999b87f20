import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { AlephError } from "@aleph/plugin-sdk";
import { ControlClient, controlRequest, KernelClosedError } from "./client.js";
import { MAX_CONTROL_LINE, parseControlRequest } from "./protocol.js";
import { controlSocketPath, startControlServer } from "./server.js";

describe("parseControlRequest", () => {
  it("accepts a request with and without params", () => {
    expect(parseControlRequest('{"id":1,"method":"status"}')).toEqual({ id: 1, method: "status", params: {} });
    expect((parseControlRequest('{"id":"a","method":"plugins.inspect","params":{"id":"x"}}') as { params: unknown }).params).toEqual({ id: "x" });
  });

  it("explains each kind of bad request", () => {
    expect(() => parseControlRequest("{not json")).toThrow(/not JSON/);
    expect(() => parseControlRequest("[1]")).toThrow(/JSON object/);
    expect(() => parseControlRequest('{"method":"status"}')).toThrow(/needs an id/);
    expect(() => parseControlRequest('{"id":1}')).toThrow(/method name/);
    expect(() => parseControlRequest('{"id":1,"method":"Bad Method"}')).toThrow(/method name/);
    expect(() => parseControlRequest('{"id":1,"method":"status","params":[1]}')).toThrow(/params must be an object/);
    expect(() => parseControlRequest(" ".repeat(MAX_CONTROL_LINE + 1))).toThrow(/limit/);
    expect(() => parseControlRequest('{"cancel":true}')).toThrow(/needs an id/);
  });

  it("reads a cancel line", () => {
    expect(parseControlRequest('{"id":4,"cancel":true}')).toEqual({ id: 4, cancel: true });
  });
});

describe("control server", () => {
  it("carries an AlephError's code, fix, file and line to the caller", async () => {
    const socket = controlSocketPath(mkdtempSync(join(tmpdir(), "aleph-ctl-")));
    const server = await startControlServer(socket, {
      bad: () => {
        throw new AlephError("ALEPH_E_JSON", "line 3 is not JSON", { fix: "repair it", file: "/tmp/x.jsonl", line: 3 });
      },
    });
    try {
      const error = (await controlRequest(socket, "bad").catch((e: unknown) => e)) as AlephError;
      expect(error).toBeInstanceOf(AlephError);
      expect(error).toMatchObject({ code: "ALEPH_E_JSON", message: "line 3 is not JSON", fix: "repair it", file: "/tmp/x.jsonl", line: 3 });
      expect(error.describe()).toBe("ALEPH_E_JSON: line 3 is not JSON (/tmp/x.jsonl:3) Fix: repair it");
    } finally {
      await server.close();
    }
  });

  it("answers requests, reports unknown methods and bad lines without closing the connection", async () => {
    const socket = controlSocketPath(mkdtempSync(join(tmpdir(), "aleph-ctl-")));
    const server = await startControlServer(socket, { echo: (params) => params, fail: () => { throw new Error("nope"); } });
    try {
      expect(await controlRequest(socket, "echo", { a: 1 })).toEqual({ a: 1 });
      await expect(controlRequest(socket, "missing")).rejects.toThrow(/unknown method "missing"/);
      await expect(controlRequest(socket, "fail")).rejects.toThrow(/nope/);
      const lines = await new Promise<string[]>((resolve) => {
        const c = connect(socket);
        let buf = "";
        c.setEncoding("utf8");
        c.on("data", (d: string) => {
          buf += d;
          const got = buf.split("\n").filter(Boolean);
          if (got.length === 2) {
            c.end();
            resolve(got);
          }
        });
        c.write('garbage\n{"id":7,"method":"echo","params":{"ok":true}}\n');
      });
      expect(JSON.parse(lines[0]!)).toMatchObject({ id: null, ok: false, error: { code: "ALEPH_E_RPC" } });
      expect(JSON.parse(lines[1]!)).toEqual({ id: 7, ok: true, result: { ok: true } });
    } finally {
      await server.close();
    }
  });

  it("scrubs secrets out of every error it answers", async () => {
    const socket = controlSocketPath(mkdtempSync(join(tmpdir(), "aleph-ctl-")));
    const redact = (text: string) => text.split("tok-ctl-1234").join("[redacted]");
    const server = await startControlServer(socket, {
      leak: () => {
        throw new AlephError("ALEPH_E_SERVICE", "rejected tok-ctl-1234", { fix: "rotate tok-ctl-1234" });
      },
    }, redact);
    try {
      const error = (await controlRequest(socket, "leak").catch((e: unknown) => e)) as AlephError;
      expect(error).toMatchObject({ code: "ALEPH_E_SERVICE", message: "rejected [redacted]", fix: "rotate [redacted]" });
    } finally {
      await server.close();
    }
  });

  it("uses a short socket path when the run directory's is too long for a Unix socket", () => {
    expect(controlSocketPath("/r/run")).toBe("/r/run/control.sock");
    const runtime = mkdtempSync(join(tmpdir(), "aleph-xdg-"));
    expect(controlSocketPath("/" + "x".repeat(120), { XDG_RUNTIME_DIR: runtime })).toMatch(new RegExp(`^${runtime}/aleph/[0-9a-f]{16}\\.sock$`));
  });

  it("streams a handler's async iterable item by item, then answers", async () => {
    const socket = controlSocketPath(mkdtempSync(join(tmpdir(), "aleph-ctl-")));
    const server = await startControlServer(socket, {
      count: async function* (params) {
        for (let i = 1; i <= Number(params.to); i++) yield i;
      },
    });
    const client = new ControlClient(socket);
    try {
      const items: unknown[] = [];
      for await (const item of client.stream("count", { to: 3 })) items.push(item);
      expect(items).toEqual([1, 2, 3]);
    } finally {
      client.close();
      await server.close();
    }
  });

  it("stops a stream on the kernel's side when the client aborts, and on disconnect", async () => {
    const socket = controlSocketPath(mkdtempSync(join(tmpdir(), "aleph-ctl-")));
    let stopped = 0;
    const forever = async function* (): AsyncGenerator<number> {
      try {
        for (let i = 0; ; i++) {
          yield i;
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      } finally {
        stopped++;
      }
    };
    const server = await startControlServer(socket, { forever: () => forever() });
    try {
      const controller = new AbortController();
      const client = new ControlClient(socket);
      const seen: unknown[] = [];
      for await (const item of client.stream("forever", {}, controller.signal)) {
        seen.push(item);
        if (seen.length === 3) controller.abort();
      }
      expect(seen.slice(0, 3)).toEqual([0, 1, 2]);
      await expect.poll(() => stopped).toBe(1);
      // A request on the same connection still works after the cancel.
      const other = new ControlClient(socket);
      const iterator = other.stream("forever", {})[Symbol.asyncIterator]();
      await iterator.next();
      other.close();
      await expect.poll(() => stopped).toBe(2);
      client.close();
    } finally {
      await server.close();
    }
  });

  it("fails pending and later requests at once when the kernel goes away, instead of waiting forever", async () => {
    const socket = controlSocketPath(mkdtempSync(join(tmpdir(), "aleph-ctl-")));
    const server = await startControlServer(socket, { echo: (params) => params, hang: () => new Promise(() => {}) });
    const client = new ControlClient(socket);
    try {
      expect(await client.request("echo", { n: 1 })).toEqual({ n: 1 });
      const pending = client.request("hang");
      await server.close(); // ends every connection, as a stopping kernel does
      await expect(pending).rejects.toBeInstanceOf(KernelClosedError);
      await expect(client.request("echo", { n: 2 })).rejects.toThrow(/closed the control connection/);
    } finally {
      client.close();
    }
  });

  it("runs requests of one connection concurrently, each answered under its id", async () => {
    const socket = controlSocketPath(mkdtempSync(join(tmpdir(), "aleph-ctl-")));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const server = await startControlServer(socket, { slow: async () => (await gate, "slow"), fast: () => "fast" });
    const client = new ControlClient(socket);
    try {
      const slow = client.request("slow");
      await expect(client.request("fast")).resolves.toBe("fast");
      release();
      await expect(slow).resolves.toBe("slow");
    } finally {
      client.close();
      await server.close();
    }
  });
});
