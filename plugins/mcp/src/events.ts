/*
 * The plugin's events (`aleph start --events json` prints them; the test kit types them). Payloads
 * carry names, counts and error texts already scrubbed of secrets — never env or header values.
 */
declare module "@aleph/plugin-sdk" {
  interface AlephEvents {
    /** A server is connected and its tools are registered (`restarts`: how often it had to be started again). */
    "mcp.server.ready": { server: string; tools: number; pid?: number; restarts: number };
    /** A server died or could not connect; it is tried again in `inMs`. Its tools stay registered. */
    "mcp.server.restarting": { server: string; error: string; inMs: number };
    /** A server cannot run as configured (missing command or folder, refused credentials): not retried. */
    "mcp.server.failed": { server: string; error: string; fix: string };
    /** The registry gained or lost tools of a server (a changed list, a server removed). */
    "mcp.tools.changed": { server: string; added: string[]; removed: string[] };
  }
}

export {};
