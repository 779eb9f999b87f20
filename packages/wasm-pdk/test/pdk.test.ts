import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import createPlugin, { type CallContext, type Plugin } from "@extism/extism";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { compileAssemblyScript } from "./compile.js";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const outDir = mkdtempSync(join(tmpdir(), "aleph-wasm-pdk-"));

const FS = ["aleph_fs_read", "aleph_fs_write", "aleph_fs_list", "aleph_fs_stat", "aleph_fs_mkdir", "aleph_fs_remove"] as const;
type HostFunction = "aleph_log" | "aleph_emit" | "aleph_config" | "aleph_kv_get" | "aleph_kv_set" | "aleph_call" | (typeof FS)[number];
/** Every request the module sent, as the JSON text the host received. */
let received: { fn: HostFunction; json: string }[] = [];
/** What each fake host function answers for a request (JSON text), or null for 0. */
let answer: (fn: HostFunction, request: any) => string | null = () => null;

function hostFunction(fn: HostFunction) {
  return (ctx: CallContext, offset: bigint): bigint => {
    const json = ctx.read(offset)!.text();
    received.push({ fn, json });
    const reply = answer(fn, JSON.parse(json));
    return reply === null ? 0n : ctx.store(reply);
  };
}

let plugin: Plugin;
beforeAll(async () => {
  await compileAssemblyScript(packageDir, "test/fixture/harness.ts", join(outDir, "harness.wasm"), "test/fixture/harness/myAbort");
  const names: HostFunction[] = ["aleph_log", "aleph_emit", "aleph_config", "aleph_kv_get", "aleph_kv_set", "aleph_call", ...FS];
  plugin = await createPlugin(
    { wasm: [{ data: readFileSync(join(outDir, "harness.wasm")) }] },
    { useWasi: false, functions: { "extism:host/user": Object.fromEntries(names.map((n) => [n, hostFunction(n)])) } },
  );
}, 60_000);
afterAll(async () => {
  await plugin?.close();
  rmSync(outDir, { recursive: true, force: true });
});
beforeEach(() => {
  received = [];
  answer = () => null;
});

async function callText(fn: string, input = ""): Promise<string> {
  return (await plugin.call(fn, input))?.text() ?? "";
}
async function callJson(fn: string, input = ""): Promise<any> {
  return JSON.parse(await callText(fn, input));
}

const awkward = [
  "",
  "plain",
  'say "hi"',
  "back\\slash \\\" \\n",
  "line\nbreak\r\ttab",
  "\b\f\u0000\u0001\u001f\u007f",
  "é ü ß — “quotes”",
  "日本語のテキスト",
  "emoji 😀 🏳️‍🌈",
  "</script>\u2028\u2029",
];

describe("input and output", () => {
  it("carry UTF-8 text through unchanged, non-ASCII included", async () => {
    for (const text of awkward) expect(await callText("echo", text)).toBe(text);
  });
});

describe("jsonString", () => {
  it("escapes exactly as JSON.stringify does: quotes, backslashes, newlines, control characters, non-ASCII", async () => {
    for (const text of awkward) {
      const written = await callText("string_of_input", text);
      expect(written).toBe(JSON.stringify(text));
      expect(JSON.parse(written)).toBe(text);
    }
  });

  it("escapes lone surrogates and keeps pairs", async () => {
    const written = await callText("lone_surrogates");
    expect(written).toBe('["\\ud83d","a\\ude00b","\\ude00\\ud83d","😀"]');
    expect(written).toBe(JSON.stringify(["\ud83d", "a\ude00b", "\ude00\ud83d", "\ud83d\ude00"]));
  });
});

describe("jsonNumber, jsonArray and JsonObject", () => {
  it("write numbers as JSON.stringify does, NaN and infinities as null", async () => {
    const values = [0, -0, 3, -17, 0.1, -2.5, 1e-7, 123456789012, 9007199254740992, 1e20, 1e21, 1.5e300, 1e-6, 5e-324, 1.7976931348623157e308, 123.456, 2 ** 60, NaN, Infinity, -Infinity];
    const written: string[] = await callJson("numbers");
    expect(written).toEqual(values.map((v) => JSON.stringify(v)));
  });

  it("build an object with strings, numbers, booleans, null, nested and raw values", async () => {
    const text = await callText("builder");
    expect(JSON.parse(text)).toEqual({
      name: 'Ada "the" Countess\n',
      pi: 3.25,
      big: -9007199254740991,
      yes: true,
      no: false,
      nothing: null,
      inner: { q: 'say "hi"\\' },
      list: ["a", 1, null],
      "ключ ✓": "значение 😀",
    });
  });
});

describe("the reader", () => {
  const read = (key: string, json: string) => callJson("read", `${key}\n${json}`);

  it("extracts a string, decoding every escape", async () => {
    const value = 'q"uote \\ slash / \b\f\n\r\t é 😀 \u0001';
    const json = JSON.stringify({ other: "x", key: value });
    expect((await read("key", json)).string).toBe(value);
    expect((await read("key", '{"key": "\\u00e9\\ud83d\\ude00\\/\\"\\\\"}')).string).toBe('é😀/"\\');
  });

  it("extracts numbers, and answers NaN (null) or the fallback for anything else", async () => {
    expect(await read("n", '{"n": -12.5e2}')).toMatchObject({ number: -1250, numberOr: -1250, raw: "-12.5e2" });
    expect(await read("n", '{"n":0}')).toMatchObject({ number: 0 });
    expect(await read("n", '{"n": "12"}')).toMatchObject({ number: null, numberOr: -1, string: "12" });
    expect(await read("n", '{"m": 12}')).toMatchObject({ number: null, numberOr: -1, raw: null });
    expect(await read("n", '{"n": 01}')).toMatchObject({ number: null });
  });

  it("extracts booleans, with the fallback for anything else", async () => {
    expect(await read("b", '{"b":false}')).toMatchObject({ boolOrTrue: false, boolOrFalse: false });
    expect(await read("b", '{"b":true}')).toMatchObject({ boolOrTrue: true, boolOrFalse: true });
    expect(await read("b", '{"b":null}')).toMatchObject({ boolOrTrue: true, boolOrFalse: false, raw: "null", string: null });
  });

  it("extracts the raw text of objects and arrays, skipping brackets and quotes inside strings", async () => {
    const json = '{ "a" : {"x": "}]\\"{[", "y": [1, {"z": null}]} , "b":[ "]", "\\\\" ], "c": true }';
    expect((await read("a", json)).raw).toBe('{"x": "}]\\"{[", "y": [1, {"z": null}]}');
    expect((await read("b", json)).raw).toBe('[ "]", "\\\\" ]');
    expect((await read("c", json)).raw).toBe("true");
  });

  it("matches top-level keys only, escaped keys by their decoded text, and the last of repeated keys", async () => {
    expect((await read("name", '{"inner": {"name": "no"}, "name": "yes"}')).string).toBe("yes");
    expect((await read("name", '{"inner": {"name": "no"}}')).raw).toBe(null);
    expect((await read("name", '{"n\\u0061me": "escaped"}')).string).toBe("escaped");
    expect((await read("k", '{"k": 1, "k": 2}')).number).toBe(2);
    expect((await read("ключ", '{"ключ": "значение"}')).string).toBe("значение");
    expect((await read("", '{"": "empty key"}')).string).toBe("empty key");
  });

  it("answers null for malformed JSON and for values that are not objects, without trapping", async () => {
    for (const json of ["", "  ", "[]", '"key"', "{", '{"key"', '{"key":', '{"key": "open', '{"key": 1,', '{"key" 1}', "{key: 1}", '{"key": "bad \\x escape"}', "null"]) {
      const result = await read("key", json);
      expect(result.string, json).toBe(null);
      expect(result.number, json).toBe(null);
    }
    expect((await read("key", '{"key": "bad \\x escape"}')).raw).toBe('"bad \\x escape"');
  });
});

describe("jsonParseString, jsonParseNumber and jsonArrayLength", () => {
  it("read a whole value: a string, a number, an array's length", async () => {
    expect(await callJson("parse", ' "a\\nb" ')).toEqual({ string: "a\nb", number: null, arrayLength: -1 });
    expect(await callJson("parse", "42")).toEqual({ string: null, number: 42, arrayLength: -1 });
    expect(await callJson("parse", "-0.5E+1")).toEqual({ string: null, number: -5, arrayLength: -1 });
    expect(await callJson("parse", '[1, "a,]", {"b": [2, 3]}, [], null]')).toMatchObject({ arrayLength: 5 });
    expect(await callJson("parse", "[ ]")).toMatchObject({ arrayLength: 0 });
    expect(await callJson("parse", "[1 2]")).toMatchObject({ arrayLength: -1 });
    expect(await callJson("parse", "[1,]")).toMatchObject({ arrayLength: -1 });
    expect(await callJson("parse", "[1] x")).toMatchObject({ arrayLength: -1 });
    expect(await callJson("parse", "42 x")).toMatchObject({ number: null });
    expect(await callJson("parse", '"a" "b"')).toMatchObject({ string: null });
  });
});

describe("host functions", () => {
  it("send the documented JSON to each host function and decode the answers", async () => {
    const kv = new Map<string, string>([["counter", "41"]]);
    answer = (fn, req) => {
      switch (fn) {
        case "aleph_config":
          return req.key === "greeting" ? '"Grüß dich"' : req.key === "" ? '{"greeting":"Grüß dich"}' : null;
        case "aleph_kv_get":
          return kv.get(req.key) ?? null;
        case "aleph_call":
          if (req.method === "list") return JSON.stringify({ ok: true, result: [{ name: "a" }, { name: "b" }] });
          if (req.method === "boom") return JSON.stringify({ ok: false, error: 'refused: "boom"' });
          if (req.method === "count") return JSON.stringify({ ok: true, result: 3 });
          return JSON.stringify({ ok: false, error: { code: 7 } });
        default:
          return null;
      }
    };
    const result = await callJson("host_calls");

    expect(received.map((r) => [r.fn, JSON.parse(r.json)])).toEqual([
      ["aleph_log", { level: "warn", msg: 'careful: "quoted" \\ back\nslash ü' }],
      ["aleph_emit", { event: "test.event", payload: { x: "é", n: 2 } }],
      ["aleph_emit", { event: "test.empty", payload: null }],
      ["aleph_config", { key: "greeting" }],
      ["aleph_config", { key: "missing" }],
      ["aleph_config", { key: "" }],
      ["aleph_kv_get", { key: "counter" }],
      ["aleph_kv_get", { key: "absent" }],
      ["aleph_kv_set", { key: "counter", value: 42 }],
      ["aleph_kv_set", { key: "gone", value: null }],
      ["aleph_call", { service: "tools", method: "list", args: [] }],
      ["aleph_call", { service: "tools", method: "boom", args: [1, "a"] }],
      ["aleph_call", { service: "tools", method: "count", args: [] }],
      ["aleph_call", { service: "tools", method: "odd", args: [] }],
    ]);
    // The exact text, not only its meaning: compact, with the keys in the documented order.
    expect(received[0]!.json).toBe('{"level":"warn","msg":"careful: \\"quoted\\" \\\\ back\\nslash ü"}');
    expect(received[8]!.json).toBe('{"key":"counter","value":42}');
    expect(received[10]!.json).toBe('{"service":"tools","method":"list","args":[]}');

    expect(result).toEqual({
      greeting: '"Grüß dich"',
      missing: null,
      section: '{"greeting":"Grüß dich"}',
      counter: "41",
      absent: null,
      listed: { ok: true, result: '[{"name":"a"},{"name":"b"}]', error: "" },
      refused: { ok: false, result: "null", error: 'refused: "boom"' },
      noArgs: { ok: true, result: "3", error: "" },
      oddError: { ok: false, result: "null", error: '{"code":7}' },
      listedLength: 2,
    });
  });

  it("treat an empty answer block as no answer", async () => {
    answer = (fn) => (fn === "aleph_config" ? "" : null);
    const result = await callJson("host_calls");
    expect(result.greeting).toBe(null);
    expect(result.listed).toEqual({ ok: false, result: "null", error: "aleph_call: the host gave no answer" });
  });
});

describe("file helpers", () => {
  it("send each aleph_fs_* request and decode the answers: text, JSON values, errors with their code", async () => {
    answer = (fn, request) => {
      switch (fn) {
        case "aleph_fs_read":
          return request.path === "/data/ü.txt" ? JSON.stringify({ ok: true, content: 'Grüß "dich"\n😀', size: 17 }) : JSON.stringify({ ok: true, content: "abcd", size: 100 });
        case "aleph_fs_write":
          return JSON.stringify({ ok: true, bytes: 10 });
        case "aleph_fs_list":
          return JSON.stringify({ ok: true, entries: [{ name: "new.txt", type: "file", size: 14 }] });
        case "aleph_fs_stat":
          return JSON.stringify({ ok: true, type: "file", size: 14, mtime_ms: 5 });
        case "aleph_fs_remove":
          return request.path === "/data/link" ? JSON.stringify({ ok: false, error: "/data/link is a symbolic link", code: "ELOOP" }) : null;
        default:
          return JSON.stringify({ ok: true });
      }
    };
    const result = await callJson("fs_calls");
    expect(received.map((r) => [r.fn, JSON.parse(r.json)])).toEqual([
      ["aleph_fs_read", { path: "/data/ü.txt", offset: 0 }],
      ["aleph_fs_read", { path: "/data/big.bin", offset: 10, length: 4 }],
      ["aleph_fs_write", { path: "/data/new.txt", content: 'line "1"\n', append: false }],
      ["aleph_fs_write", { path: "/data/new.txt", content: "more", append: true }],
      ["aleph_fs_list", { path: "/data" }],
      ["aleph_fs_stat", { path: "/data/new.txt" }],
      ["aleph_fs_mkdir", { path: "/data/a/b" }],
      ["aleph_fs_remove", { path: "/data/link" }],
      ["aleph_fs_remove", { path: "/data/none" }],
    ]);
    const ok = (value: string) => ({ ok: true, value, error: "", code: "" });
    expect(result).toEqual({
      read: ok('Grüß "dich"\n😀'),
      part: ok("abcd"),
      written: ok(""),
      appended: ok(""),
      listed: ok('[{"name":"new.txt","type":"file","size":14}]'),
      stat: ok('{"ok":true,"type":"file","size":14,"mtime_ms":5}'),
      made: ok(""),
      removed: { ok: false, value: "", error: "/data/link is a symbolic link", code: "ELOOP" },
      silent: { ok: false, value: "", error: "the host gave no answer", code: "EIO" },
    });
  });
});

describe("errors", () => {
  it("fail() makes the call fail with its message", async () => {
    await expect(plugin.call("fails", "")).rejects.toThrow('Plugin-originated error: boom: ünïcode "quoted"');
  });

  it("an abort traps the call and is logged through aleph_log; the plugin keeps serving", async () => {
    await expect(plugin.call("aborts", "not fine")).rejects.toThrow(/unreachable/);
    expect(received).toHaveLength(1);
    expect(received[0]!.fn).toBe("aleph_log");
    expect(JSON.parse(received[0]!.json)).toEqual({ level: "error", msg: expect.stringMatching(/^abort: kaboom at test\/fixture\/harness\.ts:\d+:\d+$/) });
    expect(await callText("aborts", "fine")).toBe('"fine"');
    expect(await callText("echo", "still here")).toBe("still here");
  });
});
