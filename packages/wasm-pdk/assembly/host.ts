// The Aleph host functions (namespace extism:host/user) with typed wrappers, and the call's input,
// output and error. Every host function takes the offset of an Extism memory block holding UTF-8 JSON
// and answers the offset of a block holding UTF-8 JSON, or 0 for none (docs/plugins.md, "The ABI").
import { Host, Memory } from "@extism/as-pdk";
import { error_set, length } from "@extism/as-pdk/lib/env";
import { jsonGetRaw, jsonParseString, jsonString } from "./json";

@external("extism:host/user", "aleph_log")
declare function aleph_log(request: u64): u64;
@external("extism:host/user", "aleph_emit")
declare function aleph_emit(request: u64): u64;
@external("extism:host/user", "aleph_config")
declare function aleph_config(request: u64): u64;
@external("extism:host/user", "aleph_kv_get")
declare function aleph_kv_get(request: u64): u64;
@external("extism:host/user", "aleph_kv_set")
declare function aleph_kv_set(request: u64): u64;
@external("extism:host/user", "aleph_call")
declare function aleph_call(request: u64): u64;

// A new Extism block holding `text` as UTF-8. Stored eight bytes per host call (as-pdk's
// allocateString stores one byte per call).
function toBlock(text: string): Memory {
  const bytes = Uint8Array.wrap(String.UTF8.encode(text));
  const block = Memory.allocate(bytes.length);
  block.store(bytes);
  return block;
}

// The UTF-8 text of the host's answer block, which is then freed; null for 0 (none) or an empty block.
function fromAnswer(offset: u64): string | null {
  if (offset == 0) return null;
  const block = new Memory(offset, length(offset));
  let text: string | null = null;
  if (block.length > 0) text = block.toString();
  block.free();
  return text;
}

// Sends one request and returns the answer; the request block is freed once the host has read it.
// Exported for fs.ts (index.ts does not re-export it).
export function request(hostFunction: (request: u64) => u64, json: string): string | null {
  const block = toBlock(json);
  const answer = hostFunction(block.offset);
  block.free();
  return fromAnswer(answer);
}

function orNull(json: string): string {
  return json.length == 0 ? "null" : json;
}

/** Logs `msg` against the plugin; `level` is "debug", "info", "warn" or "error". */
export function log(level: string, msg: string): void {
  request(aleph_log, '{"level":' + jsonString(level) + ',"msg":' + jsonString(msg) + "}");
}

/** Emits `event` on the bus as this plugin; `payloadJson` is JSON text ("" stands for null). */
export function emit(event: string, payloadJson: string): void {
  request(aleph_emit, '{"event":' + jsonString(event) + ',"payload":' + orNull(payloadJson) + "}");
}

/** The JSON text of `key` in the plugin's config section ("" for the whole section), or null when absent. */
export function config(key: string): string | null {
  return request(aleph_config, '{"key":' + jsonString(key) + "}");
}

/** The JSON text stored under `key` in the plugin's persistent store, or null when absent. */
export function kvGet(key: string): string | null {
  return request(aleph_kv_get, '{"key":' + jsonString(key) + "}");
}

/** Stores the JSON text `valueJson` under `key`; "null" (or "") deletes the key. */
export function kvSet(key: string, valueJson: string): void {
  request(aleph_kv_set, '{"key":' + jsonString(key) + ',"value":' + orNull(valueJson) + "}");
}

/** The answer of `aleph_call`: `result` (JSON text) when `ok`, else `error` (the host's message). */
export class CallResult {
  constructor(
    public ok: bool,
    public result: string,
    public error: string,
  ) {}
}

/** Calls `method` of a service the manifest requires; `argsJson` is a JSON array of the arguments ("" for none). */
export function call(service: string, method: string, argsJson: string = "[]"): CallResult {
  const json =
    '{"service":' + jsonString(service) + ',"method":' + jsonString(method) + ',"args":' + (argsJson.length == 0 ? "[]" : argsJson) + "}";
  const answer = request(aleph_call, json);
  if (answer === null) return new CallResult(false, "null", "aleph_call: the host gave no answer");
  const ok = jsonGetRaw(answer, "ok");
  if (ok !== null && ok == "true") {
    const result = jsonGetRaw(answer, "result");
    return new CallResult(true, result === null ? "null" : result, "");
  }
  const raw = jsonGetRaw(answer, "error");
  if (raw === null) return new CallResult(false, "null", "aleph_call: unexpected answer " + answer);
  const message = jsonParseString(raw);
  return new CallResult(false, "null", message === null ? raw : message);
}

/** The input of the current call as text (a hook's event payload or a tool's arguments, JSON; "" when empty). */
export function input(): string {
  return Host.inputString();
}

/** Sets the output of the current call to `json` (UTF-8); not calling it (or "") leaves the output empty (null). */
export function output(json: string): void {
  if (json.length == 0) return;
  // Not Host.outputString: it passes the UTF-16 length, which cuts non-ASCII text short.
  Host.output(Uint8Array.wrap(String.UTF8.encode(json)));
}

/** Fails the current call with `message`; returns 1, the exit code to return: `return fail("no name")`. */
export function fail(message: string): i32 {
  error_set(toBlock(message).offset);
  return 1;
}

let aborting = false;

/**
 * Reports an AssemblyScript abort (failed assertion, index out of range, …) as the call's error and as an
 * error log line; the module traps right after. Point `--use abort=` at a function that calls it.
 */
export function reportAbort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  // An abort raised while reporting one (out of memory) must not recurse.
  if (aborting) return;
  aborting = true;
  const text =
    "abort: " + (message === null ? "(no message)" : message) + " at " + (fileName === null ? "?" : fileName) + ":" + line.toString() + ":" + column.toString();
  error_set(toBlock(text).offset);
  log("error", text);
  aborting = false;
}
