/*
 * The MCP servers the tests run, and how to watch their processes: the real everything server
 * (@modelcontextprotocol/server-everything, a devDependency) started over stdio with this Node, the
 * same server over streamable HTTP on 127.0.0.1, and the small fixtures in ./fixtures.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));

export const mcpPluginDir = join(here, "..");
export const toolsPluginDir = dirname(require.resolve("@aleph/plugin-tools/aleph_plugin.toml"));
const everythingDir = dirname(require.resolve("@modelcontextprotocol/server-everything/package.json"));
/** The everything server's bin (stdio by default). */
export const everythingBin = join(everythingDir, "dist", "index.js");
export const everythingServerModule = join(everythingDir, "dist", "server", "index.js");
export const fixture = (name: string) => join(here, "fixtures", name);

/** An [[mcp.servers]] entry running the everything server over stdio. */
export const everythingStdio = (name = "everything", extra: Record<string, unknown> = {}) => ({ name, command: process.execPath, args: [everythingBin], ...extra });

/** An entry running a fixture server (a .mjs in ./fixtures) over stdio. */
export const fixtureStdio = (name: string, file: string, extra: Record<string, unknown> = {}) => ({ name, command: process.execPath, args: [fixture(file)], ...extra });

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resolves once the process is gone (polling), or rejects after `timeoutMs`. */
export async function waitForExit(pid: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) throw new Error(`process ${pid} is still running after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const httpServers = new Set<ChildProcess>();

/** The everything server over streamable HTTP on 127.0.0.1 (a port of its own, or `port`). */
export async function startEverythingHttp(options: { port?: number; token?: string } = {}): Promise<{ port: number; url: string; child: ChildProcess; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [fixture("everything-http.mjs"), everythingServerModule, String(options.port ?? 0)], {
    env: { ...process.env, ...(options.token ? { EXPECT_TOKEN: options.token } : {}) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  httpServers.add(child);
  child.once("exit", () => httpServers.delete(child));
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    let err = "";
    child.stderr!.on("data", (chunk) => (err += chunk));
    child.stdout!.on("data", (chunk) => {
      out += chunk;
      const line = /\{"port":\d+\}/.exec(out);
      if (line) resolve((JSON.parse(line[0]) as { port: number }).port);
    });
    child.once("exit", (code) => reject(new Error(`the HTTP server exited (${code}) before listening: ${err}`)));
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGKILL");
    await exited;
  };
  return { port, url: `http://127.0.0.1:${port}/mcp`, child, stop };
}

/** Kills every HTTP server a test started (afterEach/afterAll). */
export async function stopHttpServers(): Promise<void> {
  await Promise.all(
    [...httpServers].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once("exit", () => resolve());
          child.kill("SIGKILL");
        }),
    ),
  );
}
