// Test fixtures: guest modules (built from WAT at test time), plugin directories, a kernel.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ToolDefinition, ToolsService } from "@aleph/plugin-sdk";
import { guest } from "./wat.js";

const BUF = 0x20000; // page 2: where bodies assemble strings

/** $itoa: writes an unsigned i32 in decimal at dst, returns the length. */
const ITOA = `(func $itoa (param $n i32) (param $dst i32) (result i32)
    (local $len i32) (local $tmp i32) (local $i i32)
    (local.set $tmp (local.get $n))
    (loop $count
      (local.set $len (i32.add (local.get $len) (i32.const 1)))
      (local.set $tmp (i32.div_u (local.get $tmp) (i32.const 10)))
      (br_if $count (i32.ne (local.get $tmp) (i32.const 0))))
    (local.set $i (local.get $len))
    (local.set $tmp (local.get $n))
    (loop $write
      (local.set $i (i32.sub (local.get $i) (i32.const 1)))
      (i32.store8 (i32.add (local.get $dst) (local.get $i)) (i32.add (i32.const 48) (i32.rem_u (local.get $tmp) (i32.const 10))))
      (local.set $tmp (i32.div_u (local.get $tmp) (i32.const 10)))
      (br_if $write (i32.ne (local.get $i) (i32.const 0))))
    (local.get $len))`;

/** Emits `{"event":"<event>","payload":<input>}` through aleph_emit. */
function emitWithInput(event: string): (str: (s: string) => string) => string {
  const prefix = `{"event":"${event}","payload":`;
  return (str) => `(local $p i32)
    (call $copy (i32.const ${BUF}) ${str(prefix)})
    (local.set $p (i32.add (i32.const ${BUF}) (i32.const ${prefix.length})))
    (local.set $p (i32.add (local.get $p) (call $read_input (local.get $p))))
    (i32.store8 (local.get $p) (i32.const 125))
    (drop (call $aleph_emit (call $to_block (i32.const ${BUF}) (i32.add (i32.sub (local.get $p) (i32.const ${BUF})) (i32.const 1)))))`;
}

/**
 * The kitchen-sink guest: one export per behaviour under test. `variant` changes what `version`
 * answers, to tell two builds apart after a reload.
 */
export function kitchenSink(variant = "v1"): Promise<Uint8Array> {
  return guest({
    pages: 4,
    imports: `(import "extism:host/env" "http_request" (func $http_request (param i64 i64) (result i64)))`,
    extra: ITOA,
    exports: {
      activate: (str) => `(drop (call $aleph_emit (call $to_block ${str('{"event":"wasm.activated","payload":{"variant":"' + variant + '"}}')})))`,
      deactivate: (str) => `(drop (call $aleph_emit (call $to_block ${str('{"event":"wasm.deactivated","payload":{}}')})))`,
      version: (str) => `(call $output ${str(JSON.stringify(variant))})`,
      echo: `(call $output_block (call $input_block))`,
      on_ping: emitWithInput("wasm.pong"),
      log: `(drop (call $aleph_log (call $input_block)))`,
      emit: `(drop (call $aleph_emit (call $input_block)))`,
      config: `(call $output_block (call $aleph_config (call $input_block)))`,
      config_twice: `(local $in i64)
        (local.set $in (call $input_block))
        (drop (call $aleph_config (local.get $in)))
        (call $output_block (call $aleph_config (local.get $in)))`,
      kv_get: `(call $output_block (call $aleph_kv_get (call $input_block)))`,
      kv_set: `(drop (call $aleph_kv_set (call $input_block)))`,
      call: `(call $output_block (call $aleph_call (call $input_block)))`,
      count: `(global.set $counter (i32.add (global.get $counter) (i32.const 1)))
        (call $output (i32.const ${BUF}) (call $itoa (global.get $counter) (i32.const ${BUF})))`,
      trap: `unreachable`,
      spin: `(loop $forever (br $forever))`,
      slow: `(local $i i32)
        (block $done (loop $next
          (br_if $done (i32.ge_u (local.get $i) (i32.const 150000000)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $next)))
        (global.set $counter (i32.add (global.get $counter) (i32.const 1)))
        (call $output (i32.const ${BUF}) (call $itoa (global.get $counter) (i32.const ${BUF})))`,
      grow: (str) => `(local $i i32)
        (block $done (loop $next
          (br_if $done (i32.ge_u (local.get $i) (i32.const 64)))
          (if (i32.eq (memory.grow (i32.const 16)) (i32.const -1)) (then unreachable))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $next)))
        (call $output ${str('"grown"')})`,
      bad_output: (str) => `(call $output ${str("this is not JSON {")})`,
      fail: (str) => `(call $error ${str("something went wrong")})`,
      http: (str) => `(drop (call $http_request (call $to_block ${str('{"url":"https://blocked.example.com/","method":"GET"}')}) (i64.const 0)))
        (call $output ${str('"http-done"')})`,
    },
  });
}

/** WASI `read`: opens its input (a JSON string: a path relative to the first preopen, fd 3) and outputs the file, or {"errno":N}. */
const WASI_READ = (str: (s: string) => string) => `(local $len i32) (local $errno i32) (local $fd i32) (local $n i32)
        ;; the input is a JSON string: the path is between its quotes
        (local.set $len (i32.sub (call $read_input (i32.const ${0x10000})) (i32.const 2)))
        (local.set $errno (call $path_open (i32.const 3) (i32.const 0) (i32.const ${0x10001}) (local.get $len) (i32.const 0) (i64.const 2) (i64.const 2) (i32.const 0) (i32.const ${0x18000})))
        (if (i32.ne (local.get $errno) (i32.const 0)) (then
          ${ERRNO_OUTPUT(str)}
          (return (i32.const 0))))
        (local.set $fd (i32.load (i32.const ${0x18000})))
        ;; one iovec at 0x18010: buf = BUF, len = 4096; bytes read land at 0x18020
        (i32.store (i32.const ${0x18010}) (i32.const ${BUF}))
        (i32.store (i32.const ${0x18014}) (i32.const 4096))
        (local.set $errno (call $fd_read (local.get $fd) (i32.const ${0x18010}) (i32.const 1) (i32.const ${0x18020})))
        (drop (call $fd_close (local.get $fd)))
        (call $output (i32.const ${BUF}) (i32.load (i32.const ${0x18020})))`;

/** Outputs {"errno":<$errno>} (the body declares $errno and $n). */
const ERRNO_OUTPUT = (str: (s: string) => string) => `(call $copy (i32.const ${BUF}) ${str('{"errno":')})
          (local.set $n (call $itoa (local.get $errno) (i32.const ${BUF + 9})))
          (i32.store8 (i32.add (i32.const ${BUF + 9}) (local.get $n)) (i32.const 125))
          (call $output (i32.const ${BUF}) (i32.add (local.get $n) (i32.const 10)))`;

/** A WASI guest: `read` reads a file through WASI (see WASI_READ). */
export function fileReader(): Promise<Uint8Array> {
  return guest({ wasi: true, pages: 4, extra: ITOA, exports: { read: WASI_READ } });
}

export const FS_FUNCTIONS = ["aleph_fs_read", "aleph_fs_write", "aleph_fs_list", "aleph_fs_stat", "aleph_fs_mkdir", "aleph_fs_remove"] as const;

/**
 * A guest with every way to files: `fs_read`, `fs_write`, … pass their input to aleph_fs_read,
 * aleph_fs_write, … and output the answer; `wasi_read` reads through WASI (WASI_READ), and
 * `wasi_symlink` asks WASI to create the link "made-by-guest" → <its input, a JSON string> in the
 * first preopened directory (fd 3), outputting {"errno":N}.
 */
export function fileTool(): Promise<Uint8Array> {
  return guest({
    wasi: true,
    pages: 4,
    extra: ITOA,
    imports: [
      ...FS_FUNCTIONS.map((n) => `(import "extism:host/user" "${n}" (func $${n} (param i64) (result i64)))`),
      `(import "wasi_snapshot_preview1" "path_symlink" (func $path_symlink (param i32 i32 i32 i32 i32) (result i32)))`,
    ].join("\n  "),
    exports: {
      ...Object.fromEntries(FS_FUNCTIONS.map((n) => [n.replace("aleph_", ""), `(call $output_block (call $${n} (call $input_block)))`])),
      wasi_read: WASI_READ,
      wasi_symlink: (str) => `(local $len i32) (local $errno i32) (local $n i32)
        (local.set $len (i32.sub (call $read_input (i32.const ${0x10000})) (i32.const 2)))
        (local.set $errno (call $path_symlink (i32.const ${0x10001}) (local.get $len) (i32.const 3) ${str("made-by-guest")}))
        ${ERRNO_OUTPUT(str)}`,
    },
  });
}

/** Tools named after fileTool()'s exports, prefixed: `<prefix>_fs_read`, …, `<prefix>_wasi_symlink`. */
export function fileTools(prefix: string): Record<string, string> {
  const exports = [...FS_FUNCTIONS.map((n) => n.replace("aleph_", "")), "wasi_read", "wasi_symlink"];
  return Object.fromEntries(exports.map((e) => [`${prefix}_${e}`, e]));
}

export interface ManifestSpec {
  id: string;
  version?: string;
  entry?: string;
  requires?: string[];
  optional?: string[];
  provides?: string[];
  timeoutMs?: number;
  memoryMb?: number;
  allowedPaths?: Record<string, string>;
  allowedHosts?: string[];
  hooks?: { event: string; handler: string }[];
  /** Tool name → export. */
  tools?: Record<string, string>;
}

const q = (s: string) => JSON.stringify(s);
const list = (xs: string[]) => `[${xs.map(q).join(", ")}]`;

export function manifestToml(m: ManifestSpec): string {
  const lines = [`[plugin]`, `id = ${q(m.id)}`, `version = ${q(m.version ?? "1.0.0")}`, `kind = "wasm"`];
  if (m.entry) lines.push(`entry = ${q(m.entry)}`);
  lines.push("", "[services]", `provides = ${list(m.provides ?? [])}`, `requires = ${list(m.requires ?? [])}`, `optional = ${list(m.optional ?? [])}`);
  if (m.allowedPaths || m.allowedHosts) {
    lines.push("", "[permissions]");
    if (m.allowedPaths) lines.push(`allowed_paths = { ${Object.entries(m.allowedPaths).map(([h, g]) => `${q(h)} = ${q(g)}`).join(", ")} }`);
    if (m.allowedHosts) lines.push(`allowed_hosts = ${list(m.allowedHosts)}`);
  }
  if (m.timeoutMs !== undefined || m.memoryMb !== undefined) {
    lines.push("", "[limits]");
    if (m.timeoutMs !== undefined) lines.push(`timeout_ms = ${m.timeoutMs}`);
    if (m.memoryMb !== undefined) lines.push(`memory_mb = ${m.memoryMb}`);
  }
  for (const h of m.hooks ?? []) lines.push("", "[[hooks]]", `event = ${q(h.event)}`, `handler = ${q(h.handler)}`);
  for (const [name, handler] of Object.entries(m.tools ?? {})) {
    lines.push("", "[[tools]]", `name = ${q(name)}`, `description = ${q(`calls ${handler}`)}`, `handler = ${q(handler)}`);
  }
  return lines.join("\n") + "\n";
}

/** Every kitchen-sink export as a tool named `<prefix>_<export>`. */
export function kitchenTools(prefix: string, exports: string[] = KITCHEN_EXPORTS): Record<string, string> {
  return Object.fromEntries(exports.map((e) => [`${prefix}_${e}`, e]));
}
export const KITCHEN_EXPORTS = ["version", "echo", "log", "emit", "config", "config_twice", "kv_get", "kv_set", "call", "count", "trap", "spin", "slow", "grow", "bad_output", "fail", "http"];

/** Writes a plugin directory; `wasm: null` leaves the module out. */
export function writePlugin(pluginsDir: string, spec: ManifestSpec, wasm: Uint8Array | string | null): string {
  const dir = join(pluginsDir, spec.id);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "aleph_plugin.toml"), manifestToml(spec));
  if (wasm !== null) writeFileSync(join(dir, spec.entry ?? "plugin.wasm"), wasm);
  return dir;
}

export function tempRoot(): { root: string; plugins: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), "aleph-wasm-"));
  const plugins = join(root, "plugins");
  mkdirSync(plugins, { recursive: true });
  return { root, plugins, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** A minimal tools registry, as the real tools plugin would provide it. */
export function fakeTools(): ToolsService & { tools: Map<string, { tool: ToolDefinition; plugin: string }> } {
  const tools = new Map<string, { tool: ToolDefinition; plugin: string }>();
  return {
    tools,
    register(tool, plugin) {
      if (tools.has(tool.name)) throw new Error(`tool ${tool.name} is already registered`);
      const entry = { tool, plugin };
      tools.set(tool.name, entry);
      return {
        dispose() {
          if (tools.get(tool.name) === entry) tools.delete(tool.name);
        },
      };
    },
    list() {
      return [...tools.values()].map(({ tool, plugin }) => ({ name: tool.name, description: tool.description, parameters: tool.parameters, plugin }));
    },
    async call(name, args) {
      const entry = tools.get(name);
      if (!entry) throw new Error(`no tool ${name}`);
      return entry.tool.handler(args, {});
    },
    pending() {},
    settled: async () => undefined,
  };
}
