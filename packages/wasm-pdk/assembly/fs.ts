// Files: typed wrappers for the aleph_fs_* host functions. A guest reaches only the directories
// `[permissions] allowed_paths` grants, by their guest paths ("/data/notes.txt"); symbolic links
// are never followed and WASI sees no files (docs/plugins.md, "Files").
import { request } from "./host";
import { jsonGetRaw, jsonGetString, jsonNumber, jsonString } from "./json";

@external("extism:host/user", "aleph_fs_read")
declare function aleph_fs_read(request: u64): u64;
@external("extism:host/user", "aleph_fs_write")
declare function aleph_fs_write(request: u64): u64;
@external("extism:host/user", "aleph_fs_list")
declare function aleph_fs_list(request: u64): u64;
@external("extism:host/user", "aleph_fs_stat")
declare function aleph_fs_stat(request: u64): u64;
@external("extism:host/user", "aleph_fs_mkdir")
declare function aleph_fs_mkdir(request: u64): u64;
@external("extism:host/user", "aleph_fs_remove")
declare function aleph_fs_remove(request: u64): u64;

/**
 * The answer of an aleph_fs_* call. When `ok`: `value` is the file's text (fsRead), the JSON array of
 * entries (fsList), the JSON answer (fsStat), or "" (the others). Otherwise `error` is the host's
 * message and `code` a POSIX-style code ("ENOENT", "EACCES" outside the grants, "ELOOP" for a link, …).
 */
export class FsResult {
  constructor(
    public ok: bool,
    public value: string,
    public error: string,
    public code: string,
  ) {}
}

function resultOf(answer: string | null, valueKey: string): FsResult {
  if (answer === null) return new FsResult(false, "", "the host gave no answer", "EIO");
  const ok = jsonGetRaw(answer, "ok");
  if (ok !== null && ok == "true") {
    if (valueKey == "") return new FsResult(true, "", "", "");
    if (valueKey == "*") return new FsResult(true, answer, "", "");
    if (valueKey == "content") {
      const content = jsonGetString(answer, "content");
      return new FsResult(true, content === null ? "" : content, "", "");
    }
    const raw = jsonGetRaw(answer, valueKey);
    return new FsResult(true, raw === null ? "null" : raw, "", "");
  }
  const error = jsonGetString(answer, "error");
  const code = jsonGetString(answer, "code");
  return new FsResult(false, "", error === null ? "unexpected answer " + answer : error, code === null ? "EIO" : code);
}

function pathRequest(path: string): string {
  return '{"path":' + jsonString(path) + "}";
}

/** Reads a file as UTF-8 text; `length` < 0 reads to the end (at most 16 MiB per call: read larger files in parts). */
export function fsRead(path: string, offset: i64 = 0, length: i64 = -1): FsResult {
  let json = '{"path":' + jsonString(path) + ',"offset":' + jsonNumber(<f64>offset);
  if (length >= 0) json += ',"length":' + jsonNumber(<f64>length);
  return resultOf(request(aleph_fs_read, json + "}"), "content");
}

/** Writes `content` (UTF-8) to a file, creating it (mode 0600) or replacing it; with `append`, adds to its end. */
export function fsWrite(path: string, content: string, append: bool = false): FsResult {
  const json = '{"path":' + jsonString(path) + ',"content":' + jsonString(content) + ',"append":' + (append ? "true" : "false") + "}";
  return resultOf(request(aleph_fs_write, json), "");
}

/** The entries of a directory: `value` is a JSON array of {"name","type":"file"|"dir"|"symlink"|"other","size"}, sorted by name. */
export function fsList(path: string): FsResult {
  return resultOf(request(aleph_fs_list, pathRequest(path)), "entries");
}

/** What is at `path` (a link is reported as "symlink", never followed): `value` is {"ok":true,"type","size","mtime_ms"}. */
export function fsStat(path: string): FsResult {
  return resultOf(request(aleph_fs_stat, pathRequest(path)), "*");
}

/** Makes a directory and any missing parents (mode 0700); an existing directory is fine. */
export function fsMkdir(path: string): FsResult {
  return resultOf(request(aleph_fs_mkdir, pathRequest(path)), "");
}

/** Removes a file, a link (not what it points to) or an empty directory. */
export function fsRemove(path: string): FsResult {
  return resultOf(request(aleph_fs_remove, pathRequest(path)), "");
}
