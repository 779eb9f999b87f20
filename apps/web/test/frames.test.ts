import { describe, expect, test } from "vitest";
import { parseFrames } from "../src/rpc/frames.js";

describe("parseFrames", () => {
  test("reads results, errors and notifications", () => {
    expect(parseFrames('{"jsonrpc":"2.0","id":3,"result":{"ok":true}}')).toEqual([{ kind: "result", id: 3, result: { ok: true } }]);
    expect(parseFrames('{"jsonrpc":"2.0","id":3,"result":null}')).toEqual([{ kind: "result", id: 3, result: null }]);
    expect(parseFrames('{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error"}}')).toEqual([
      { kind: "error", id: null, error: { code: -32700, message: "parse error", data: undefined } },
    ]);
    expect(parseFrames('{"jsonrpc":"2.0","method":"event","params":{"event":"x"}}')).toEqual([{ kind: "notification", method: "event", params: { event: "x" } }]);
  });

  test("a batch gives one frame per element, each judged alone", () => {
    const frames = parseFrames('[{"jsonrpc":"2.0","id":1,"result":1},{"id":2,"result":2}]');
    expect(frames[0]).toEqual({ kind: "result", id: 1, result: 1 });
    expect(frames[1]).toMatchObject({ kind: "invalid" });
  });

  test.each([
    ["not JSON", "{oops", /^not JSON: \{oops/],
    ["a long non-JSON text is cut", "x".repeat(200), /^not JSON: x{60}…$/],
    ["a scalar", "42", /must be a JSON object/],
    ["null", "null", /must be a JSON object/],
    ["an empty batch", "[]", /an empty batch/],
    ["no jsonrpc member", '{"id":1,"result":1}', /lacks "jsonrpc": "2.0"/],
    ["a request from the server", '{"jsonrpc":"2.0","id":1,"method":"ping"}', /sent a request \("ping"\)/],
    ["an error without a numeric code", '{"jsonrpc":"2.0","id":1,"error":{"code":"x","message":"m"}}', /error\.code \(number\)/],
    ["an error whose id is an object", '{"jsonrpc":"2.0","id":{},"error":{"code":1,"message":"m"}}', /id must be a number, a string or null/],
    ["a result without an id", '{"jsonrpc":"2.0","result":1}', /a result response needs an id/],
    ["neither method, result nor error", '{"jsonrpc":"2.0","id":1}', /needs a method, a result or an error/],
  ])("%s is invalid, with the reason", (_name, text, reason) => {
    const [frame] = parseFrames(text);
    expect(frame).toEqual({ kind: "invalid", reason: expect.stringMatching(reason) });
  });
});
