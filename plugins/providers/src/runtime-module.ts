import { importSibling } from "@aleph/plugin-sdk";

/** dist/runtime.js (the calls, adapters, protocol-file parser), imported on first use: see runtime.ts. */
export const runtimeModule = () => importSibling<typeof import("./runtime.js")>(import.meta.url, "runtime");
