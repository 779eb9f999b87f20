// Builds tiny Extism guest modules from WAT text at test time (no committed binaries).
//
// `guest({ exports })` wraps function bodies in a module that imports the Extism kernel
// (extism:host/env), the six Aleph host functions (extism:host/user) and, with `wasi: true`,
// the WASI calls needed to read a file. Helpers available to the bodies:
//   (call $input_block) -> i64            the call's input copied into a fresh Extism block
//   (call $read_input (i32 dst)) -> i32    the input copied into linear memory at dst; its length
//   (call $to_block (i32 ptr) (i32 len)) -> i64   linear memory → new Extism block
//   (call $from_block (i64 off) (i32 dst)) -> i32 Extism block → linear memory; its length
//   (call $output_block (i64 off))         output = that block (nothing when off = 0)
//   (call $output (i32 ptr) (i32 len))     output = bytes of linear memory
//   (call $error (i32 ptr) (i32 len))      report an error (Extism error_set)
//   (call $copy (i32 dst) (i32 src) (i32 len))
// and `str("text")`, which places a constant string in memory and yields `(i32.const ptr) (i32.const len)`.
import wabtInit from "wabt";

const HEAP = 0x10000; // scratch area for the bodies (page 1 onwards); strings live in page 0

export interface GuestOptions {
  /** Export name → function body (WAT instructions; locals may be declared first). */
  exports: Record<string, string | ((str: (s: string) => string) => string)>;
  /** Extra imports (raw WAT). */
  imports?: string;
  /** Import WASI path_open / fd_read / fd_close. */
  wasi?: boolean;
  /** Initial memory pages (default 2). */
  pages?: number;
  /** Extra module fields (globals, functions). */
  extra?: string;
}

let wabt: Awaited<ReturnType<typeof wabtInit>> | undefined;

function escapeWat(text: string): string {
  return [...new TextEncoder().encode(text)].map((b) => `\\${b.toString(16).padStart(2, "0")}`).join("");
}

export function guestWat(options: GuestOptions): string {
  const data: string[] = [];
  let next = 0x100;
  const str = (s: string): string => {
    const bytes = new TextEncoder().encode(s);
    const at = next;
    next += bytes.length + 8 - (bytes.length % 8);
    data.push(`(data (i32.const ${at}) "${escapeWat(s)}")`);
    return `(i32.const ${at}) (i32.const ${bytes.length})`;
  };
  const funcs = Object.entries(options.exports)
    .map(([name, body]) => `(func (export "${name}") (result i32)\n${typeof body === "function" ? body(str) : body}\n(i32.const 0))`)
    .join("\n");
  if (next > HEAP) throw new Error("fixture strings overflow page 0");
  return `(module
  (import "extism:host/env" "input_length" (func $input_length (result i64)))
  (import "extism:host/env" "input_load_u8" (func $input_load_u8 (param i64) (result i32)))
  (import "extism:host/env" "input_load_u64" (func $input_load_u64 (param i64) (result i64)))
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "length" (func $length (param i64) (result i64)))
  (import "extism:host/env" "load_u8" (func $load_u8 (param i64) (result i32)))
  (import "extism:host/env" "load_u64" (func $load_u64 (param i64) (result i64)))
  (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
  (import "extism:host/env" "store_u64" (func $store_u64 (param i64 i64)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (import "extism:host/env" "error_set" (func $error_set (param i64)))
  (import "extism:host/user" "aleph_log" (func $aleph_log (param i64) (result i64)))
  (import "extism:host/user" "aleph_emit" (func $aleph_emit (param i64) (result i64)))
  (import "extism:host/user" "aleph_config" (func $aleph_config (param i64) (result i64)))
  (import "extism:host/user" "aleph_kv_get" (func $aleph_kv_get (param i64) (result i64)))
  (import "extism:host/user" "aleph_kv_set" (func $aleph_kv_set (param i64) (result i64)))
  (import "extism:host/user" "aleph_call" (func $aleph_call (param i64) (result i64)))
  ${
    options.wasi
      ? `(import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))`
      : ""
  }
  ${options.imports ?? ""}
  (memory (export "memory") ${options.pages ?? 2})
  (global $counter (mut i32) (i32.const 0))
  ${data.join("\n  ")}
  (func $copy (param $dst i32) (param $src i32) (param $len i32)
    (local $i i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
      (i32.store8 (i32.add (local.get $dst) (local.get $i)) (i32.load8_u (i32.add (local.get $src) (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next))))
  (func $read_input (param $dst i32) (result i32)
    (local $len i64) (local $i i64)
    (local.set $len (call $input_length))
    (block $done (loop $next
      (br_if $done (i64.ge_u (local.get $i) (local.get $len)))
      (i32.store8 (i32.add (local.get $dst) (i32.wrap_i64 (local.get $i))) (call $input_load_u8 (local.get $i)))
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br $next)))
    (i32.wrap_i64 (local.get $len)))
  (func $to_block (param $ptr i32) (param $len i32) (result i64)
    (local $off i64) (local $i i32)
    (local.set $off (call $alloc (i64.extend_i32_u (local.get $len))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
      (call $store_u8 (i64.add (local.get $off) (i64.extend_i32_u (local.get $i))) (i32.load8_u (i32.add (local.get $ptr) (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (local.get $off))
  (func $from_block (param $off i64) (param $dst i32) (result i32)
    (local $len i64) (local $i i64)
    (if (i64.eqz (local.get $off)) (then (return (i32.const 0))))
    (local.set $len (call $length (local.get $off)))
    (block $done (loop $next
      (br_if $done (i64.ge_u (local.get $i) (local.get $len)))
      (i32.store8 (i32.add (local.get $dst) (i32.wrap_i64 (local.get $i))) (call $load_u8 (i64.add (local.get $off) (local.get $i))))
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br $next)))
    (i32.wrap_i64 (local.get $len)))
  (func $input_block (result i64)
    (call $to_block (i32.const ${HEAP}) (call $read_input (i32.const ${HEAP}))))
  (func $output_block (param $off i64)
    (if (i64.ne (local.get $off) (i64.const 0))
      (then (call $output_set (local.get $off) (call $length (local.get $off))))))
  (func $output (param $ptr i32) (param $len i32)
    (local $off i64)
    (local.set $off (call $to_block (local.get $ptr) (local.get $len)))
    (call $output_set (local.get $off) (i64.extend_i32_u (local.get $len))))
  (func $error (param $ptr i32) (param $len i32)
    (call $error_set (call $to_block (local.get $ptr) (local.get $len))))
  ${options.extra ?? ""}
  ${funcs}
)`;
}

/** Compiles WAT text to a .wasm binary. */
export async function wat2wasm(text: string): Promise<Uint8Array> {
  wabt ??= await wabtInit();
  const module = wabt.parseWat("fixture.wat", text, { bulk_memory: true, mutable_globals: true });
  try {
    module.resolveNames();
    module.validate();
    return module.toBinary({}).buffer;
  } finally {
    module.destroy();
  }
}

export async function guest(options: GuestOptions): Promise<Uint8Array> {
  return wat2wasm(guestWat(options));
}

export { HEAP };
