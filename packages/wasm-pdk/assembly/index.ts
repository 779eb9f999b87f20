// @aleph/wasm-pdk: write Aleph WASM plugins in AssemblyScript. See README.md and docs/plugins.md ("WASM plugins").
export { log, emit, config, kvGet, kvSet, call, CallResult, input, output, fail, reportAbort } from "./host";
export { fsRead, fsWrite, fsList, fsStat, fsMkdir, fsRemove, FsResult } from "./fs";
export {
  jsonString,
  jsonNumber,
  jsonArray,
  JsonObject,
  jsonGetRaw,
  jsonGetString,
  jsonGetNumber,
  jsonGetBool,
  jsonParseString,
  jsonParseNumber,
  jsonArrayLength,
} from "./json";
