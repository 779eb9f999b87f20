import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/*
 * A real HTTP server on 127.0.0.1 (a free port) for the tests, recording every request it gets, so
 * a test can show that a refused URL was never contacted. close() also ends open connections (a
 * response that never finishes).
 */

export interface LocalServer {
  port: number;
  /** http://127.0.0.1:<port><path> */
  url(path?: string): string;
  /** Requests received: path (with query) and headers. */
  requests: { path: string; headers: IncomingMessage["headers"] }[];
  close(): Promise<void>;
}

export type Routes = Record<string, (request: IncomingMessage, response: ServerResponse) => void>;

export async function startLocalServer(routes: Routes): Promise<LocalServer> {
  const requests: LocalServer["requests"] = [];
  const server = createServer((request, response) => {
    requests.push({ path: request.url ?? "", headers: request.headers });
    const route = routes[new URL(request.url ?? "/", "http://x").pathname];
    if (route) return route(request, response);
    response.writeHead(404, { "content-type": "text/plain" }).end("no such page");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: (path = "/") => `http://127.0.0.1:${port}${path}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A route answering with a status, headers and a body. */
export const reply =
  (status: number, headers: Record<string, string>, body: string | Buffer = "") =>
  (_request: IncomingMessage, response: ServerResponse) =>
    response.writeHead(status, headers).end(body);

/** A route redirecting to `location` (absolute or relative). */
export const redirect = (location: string, status = 302) => reply(status, { location });
