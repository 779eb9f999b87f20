// Checks on a WASM binary before anything of it runs: is it a core module, what does it import
// and export, and a rewrite of its memory limits so that `[limits] memory_mb` is enforced.
import type { PluginManifest } from "@aleph/plugin-sdk";
import { FS_HOST_FUNCTIONS } from "./fs-host.js";

/** The Aleph host functions (namespace extism:host/user), docs/plugins.md "The ABI". */
export const ALEPH_HOST_FUNCTIONS = ["aleph_log", "aleph_emit", "aleph_config", "aleph_kv_get", "aleph_kv_set", "aleph_call", ...FS_HOST_FUNCTIONS] as const;
export const USER_NAMESPACE = "extism:host/user";
export const EXTISM_NAMESPACE = "extism:host/env";
export const WASI_NAMESPACE = "wasi_snapshot_preview1";

/** What the Extism JS SDK provides in extism:host/env (2.0.0-rc13, CallContext + HttpContext). */
const EXTISM_KERNEL = new Set([
  "alloc", "free", "load_u8", "load_u64", "store_u8", "store_u64", "input_offset", "input_length",
  "input_load_u8", "input_load_u64", "output_set", "error_set", "error_get", "config_get", "var_get",
  "var_set", "http_request", "http_status_code", "http_headers", "length", "length_unsafe", "log_warn",
  "log_info", "log_debug", "log_error", "log_trace", "get_log_level",
]);

/** WASI preview 1 functions, all provided by node:wasi. */
const WASI_FUNCTIONS = new Set([
  "args_get", "args_sizes_get", "environ_get", "environ_sizes_get", "clock_res_get", "clock_time_get",
  "fd_advise", "fd_allocate", "fd_close", "fd_datasync", "fd_fdstat_get", "fd_fdstat_set_flags",
  "fd_fdstat_set_rights", "fd_filestat_get", "fd_filestat_set_size", "fd_filestat_set_times", "fd_pread",
  "fd_prestat_get", "fd_prestat_dir_name", "fd_pwrite", "fd_read", "fd_readdir", "fd_renumber", "fd_seek",
  "fd_sync", "fd_tell", "fd_write", "path_create_directory", "path_filestat_get", "path_filestat_set_times",
  "path_link", "path_open", "path_readlink", "path_remove_directory", "path_rename", "path_symlink",
  "path_unlink_file", "poll_oneoff", "proc_exit", "proc_raise", "sched_yield", "random_get", "sock_accept",
  "sock_recv", "sock_send", "sock_shutdown",
]);

export type ModuleProblem = { kind: "not-wasm" | "component" | "memory" | "exports" | "imports"; message: string; fix: string };

const MAGIC = [0x00, 0x61, 0x73, 0x6d];

/** Null when the bytes look like a core WebAssembly module, else what they are instead. */
export function checkHeader(bytes: Uint8Array): ModuleProblem | null {
  if (bytes.length < 8 || MAGIC.some((b, i) => bytes[i] !== b)) {
    const start = [...bytes.subarray(0, 8)].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : ".")).join("");
    return {
      kind: "not-wasm",
      message: bytes.length === 0 ? "is empty" : `is not a WebAssembly module (it starts with "${start}", not "\\0asm")`,
      fix: "point [plugin] entry at the .wasm file your Extism PDK build produces (e.g. build/plugin.wasm)",
    };
  }
  const version = bytes[4]! | (bytes[5]! << 8) | (bytes[6]! << 16) | (bytes[7]! << 24);
  if (version !== 1) {
    return {
      kind: "component",
      message: `is a WebAssembly ${version === 0x1000d ? "component" : `binary of version ${version}`}, not a core module`,
      fix: "build a core WebAssembly module with an Extism PDK; the component model is not supported",
    };
  }
  return null;
}

function readLeb(bytes: Uint8Array, at: number): { value: number; next: number } {
  let value = 0;
  let shift = 0;
  let pos = at;
  for (;;) {
    if (pos >= bytes.length) throw new Error("truncated LEB128");
    const byte = bytes[pos++]!;
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) break;
    shift += 7;
    if (shift > 35) throw new Error("LEB128 too long");
  }
  return { value, next: pos };
}

function leb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

/**
 * Rewrites the module's memory section so that its memory cannot grow past `maxPages` (64 KiB
 * pages). The Extism JS SDK's `memory.maxPages` only bounds its own blocks, not the module's linear
 * memory, so this is what makes `memory_mb` hold: `memory.grow` past the cap returns -1 and the
 * guest's allocator traps. A module whose initial memory is already larger fails to load.
 */
export function capMemory(bytes: Uint8Array, maxPages: number): { bytes: Uint8Array; problem?: ModuleProblem } {
  let pos = 8;
  while (pos < bytes.length) {
    const id = bytes[pos]!;
    const size = readLeb(bytes, pos + 1);
    const start = size.next;
    const end = start + size.value;
    if (end > bytes.length) throw new Error("truncated section");
    if (id === 5) {
      let p = start;
      const count = readLeb(bytes, p);
      p = count.next;
      const content: number[] = [...leb(count.value)];
      for (let i = 0; i < count.value; i++) {
        const flags = bytes[p++]!;
        if (flags & 0x04) return { bytes }; // memory64: not supported by Node 20 anyway, compile reports it
        const min = readLeb(bytes, p);
        p = min.next;
        let max: number | undefined;
        if (flags & 0x01) {
          const m = readLeb(bytes, p);
          p = m.next;
          max = m.value;
        }
        if (min.value > maxPages) {
          return {
            bytes,
            problem: {
              kind: "memory",
              message: `needs ${min.value} pages (${(min.value / 16).toFixed(1)} MiB) of memory at start, more than [limits] memory_mb allows (${maxPages / 16} MiB)`,
              fix: "raise [limits] memory_mb in aleph_plugin.toml, or build the module with a smaller initial memory",
            },
          };
        }
        const cap = max === undefined ? maxPages : Math.min(max, maxPages);
        content.push(flags | 0x01, ...leb(min.value), ...leb(cap));
      }
      if (p !== end) throw new Error("malformed memory section");
      const section = [5, ...leb(content.length), ...content];
      const out = new Uint8Array(bytes.length - (end - pos) + section.length);
      out.set(bytes.subarray(0, pos), 0);
      out.set(section, pos);
      out.set(bytes.subarray(end), pos + section.length);
      return { bytes: out };
    }
    pos = end;
  }
  return { bytes }; // no memory section: nothing to grow (an imported memory is refused by checkModule)
}

export interface ModuleFacts {
  /** Exported function names. */
  functions: Set<string>;
  usesWasi: boolean;
  usesHttp: boolean;
  /** Imports one of the aleph_fs_* functions (the only way to the files allowed_paths grants). */
  usesFs: boolean;
  /** Imports WASI path_open: it expects files through WASI, which sees none (no preopened directories). */
  usesWasiFiles: boolean;
}

/** Checks what the manifest names against what the module exports, and what the module imports against what the host provides. */
export function checkModule(module: WebAssembly.Module, manifest: PluginManifest): { facts: ModuleFacts; problems: ModuleProblem[] } {
  const problems: ModuleProblem[] = [];
  const exported = WebAssembly.Module.exports(module);
  const functions = new Set(exported.filter((e) => e.kind === "function").map((e) => e.name));
  const missing: string[] = [];
  for (const hook of manifest.hooks) if (!functions.has(hook.handler)) missing.push(`"${hook.handler}" (hook for ${hook.event})`);
  for (const tool of manifest.tools) if (!functions.has(tool.handler)) missing.push(`"${tool.handler}" (tool ${tool.name})`);
  if (missing.length > 0) {
    const names = exported.map((e) => (e.kind === "function" ? e.name : `${e.name} (${e.kind})`));
    problems.push({
      kind: "exports",
      message: `does not export ${[...new Set(missing)].join(", ")}; it exports ${names.length ? names.join(", ") : "nothing"}`,
      fix: "export those functions from the module, or correct handler = … in [[hooks]] / [[tools]]",
    });
  }

  let usesWasi = false;
  let usesHttp = false;
  let usesFs = false;
  let usesWasiFiles = false;
  const unknown: string[] = [];
  for (const imp of WebAssembly.Module.imports(module)) {
    const label = `"${imp.module}"."${imp.name}"${imp.kind === "function" ? "" : ` (${imp.kind})`}`;
    if (imp.kind !== "function") {
      unknown.push(label);
      continue;
    }
    if (imp.module === USER_NAMESPACE && (ALEPH_HOST_FUNCTIONS as readonly string[]).includes(imp.name)) {
      if (imp.name.startsWith("aleph_fs_")) usesFs = true;
      continue;
    }
    if (imp.module === EXTISM_NAMESPACE && EXTISM_KERNEL.has(imp.name)) {
      if (imp.name.startsWith("http_")) usesHttp = true;
      continue;
    }
    if (imp.module === WASI_NAMESPACE && WASI_FUNCTIONS.has(imp.name)) {
      usesWasi = true;
      if (imp.name === "path_open") usesWasiFiles = true;
      continue;
    }
    unknown.push(label);
  }
  if (unknown.length > 0) {
    const abort = unknown.some((u) => u.startsWith('"env"."abort"'));
    problems.push({
      kind: "imports",
      message: `imports ${unknown.join(", ")}, which the host does not provide (host functions: ${ALEPH_HOST_FUNCTIONS.join(", ")} in "${USER_NAMESPACE}", the Extism kernel in "${EXTISM_NAMESPACE}", WASI preview 1)`,
      fix: abort
        ? "AssemblyScript: build with --use abort= pointing at a function of your own (see @extism/as-pdk), so the module does not import env.abort"
        : `import only the host functions listed in docs/plugins.md ("${USER_NAMESPACE}"), or update the plugin to this host's ABI`,
    });
  }
  return { facts: { functions, usesWasi, usesHttp, usesFs, usesWasiFiles }, problems };
}
