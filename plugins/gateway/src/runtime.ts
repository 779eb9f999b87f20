/*
 * The gateway's working code (dist/runtime.js), imported by the entry on the first HTTP request
 * or WebSocket upgrade: routes, authentication, JSON-RPC and its methods. `ws` itself is imported
 * on the first upgrade (runtime/ws/upgrade.ts).
 */
export { createGateway, type Gateway, type GatewayDeps } from "./runtime/gateway.js";
