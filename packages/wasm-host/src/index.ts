export { createWasmLoader, planMode, type WasmLoaderOptions, type WasmPluginLoader, type WasmCandidate, type ModePlan } from "./loader.js";
export { ALEPH_HOST_FUNCTIONS } from "./module-check.js";
