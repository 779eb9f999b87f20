export { loadNodePlugin, type NodeCandidate, type LoadedCode, type NodeLoadOptions } from "./node-loader.js";
export { isTypeScriptEntry, typeScriptLoaderRegistrations } from "./ts-loader.js";
