// hello-wasm: the WASM twin of hello-node, in AssemblyScript. Each export named in aleph_plugin.toml
// (and activate / deactivate) is called by the host with JSON input; it returns 0, or fails the call
// with `return fail("why")`. The host functions are reached through @aleph/wasm-pdk.
import {
  call,
  config,
  emit,
  fail,
  input,
  jsonArrayLength,
  jsonGetString,
  JsonObject,
  jsonParseNumber,
  jsonParseString,
  kvGet,
  kvSet,
  log,
  output,
  reportAbort,
} from "@aleph/wasm-pdk";

// AssemblyScript calls an `abort` import on a failed assertion or an out-of-range access; the build
// points it here (`--use abort=assembly/index/myAbort`) so the host hears why the call trapped.
function myAbort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  reportAbort(message, fileName, line, column);
}

const DEFAULT_GREETING = "Hello";

// Read from the [hello_wasm] section once per instance: a config change reloads the plugin.
let greeting: string | null = null;

function currentGreeting(): string {
  const cached = greeting;
  if (cached !== null) return cached;
  let value = DEFAULT_GREETING;
  const json = config("greeting");
  if (json !== null) {
    const configured = jsonParseString(json);
    if (configured !== null && configured.length > 0) value = configured;
  }
  greeting = value;
  return value;
}

/** Counts this activation in the plugin's store, looks at the tools registry and announces itself. */
export function activate(): i32 {
  greeting = null;
  const text = currentGreeting();

  // The store outlives reloads and restarts: the counter keeps growing.
  const stored = kvGet("activations");
  const previous = stored === null ? NaN : jsonParseNumber(stored);
  const activations: i64 = (isNaN(previous) ? 0 : <i64>previous) + 1;
  kvSet("activations", activations.toString());

  let tools = 0;
  const listed = call("tools", "list", "[]");
  if (listed.ok) tools = max(jsonArrayLength(listed.result), 0);
  else log("warn", "tools.list failed: " + listed.error);

  log("info", "hello-wasm ready: activation " + activations.toString() + ", greeting " + text + ", " + tools.toString() + " tools");
  emit("hello.activated", new JsonObject().int("activations", activations).str("greeting", text).int("tools", tools).toString());
  return 0;
}

/** Hook for hello.greet {name}: answers with hello.greeted {name, text}. */
export function on_greet(): i32 {
  const name = jsonGetString(input(), "name");
  if (name === null) return fail('hello.greet needs a string "name"');
  const text = currentGreeting() + ", " + name + "!";
  log("info", "greeted " + name);
  emit("hello.greeted", new JsonObject().str("name", name).str("text", text).toString());
  return 0;
}

/** Tool word_count {text} → {count}: the number of words separated by whitespace. */
export function word_count(): i32 {
  const text = jsonGetString(input(), "text");
  if (text === null) return fail('word_count needs a string "text"');
  output(new JsonObject().int("count", countWords(text)).toString());
  return 0;
}

/** Called on unload. */
export function deactivate(): i32 {
  log("info", "hello-wasm stopping");
  return 0;
}

function countWords(text: string): i32 {
  let count = 0;
  let inWord = false;
  for (let i = 0, n = text.length; i < n; i++) {
    const space = isWhitespace(text.charCodeAt(i));
    if (!space && !inWord) count++;
    inWord = !space;
  }
  return count;
}

// The characters JavaScript's \s matches, so the count equals text.split(/\s+/).filter(Boolean).length.
function isWhitespace(c: i32): bool {
  return (
    (c >= 0x09 && c <= 0x0d) ||
    c == 0x20 ||
    c == 0xa0 ||
    c == 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c == 0x2028 ||
    c == 0x2029 ||
    c == 0x202f ||
    c == 0x205f ||
    c == 0x3000 ||
    c == 0xfeff
  );
}
