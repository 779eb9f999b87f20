/*
 * The plugin's working code, built as an entry of its own (dist/runtime.js) and imported on first
 * use (runtime-module.ts): the calls, their retries and failover, the adapters, the protocol-file
 * parser. The entry the kernel imports at start stays one small file.
 */
export { createProvidersService } from "./providers-service.js";
export { parseProtocolFile } from "./protocols/protocol-file.js";
