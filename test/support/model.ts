/*
 * Fake model servers for the agent and provider tests (the test kit's scripted one, on 127.0.0.1),
 * closed after each test by the setup file, and the providers.toml that points at them.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startFakeModelServer, type FakeModelServer, type FakeTurn } from "@aleph/testing";
import type { Workspace } from "./aleph.js";

const servers: FakeModelServer[] = [];

/** A scripted model server answering `turns` in order; closed when the test ends. */
export async function fakeModel(turns: FakeTurn[]): Promise<FakeModelServer> {
  const server = await startFakeModelServer(turns);
  servers.push(server);
  return server;
}

/** Closes every model server a test started (support/setup.ts calls it after each test). */
export async function closeModels(): Promise<void> {
  await Promise.all(servers.splice(0).map((s) => s.close()));
}

/** Writes `<root>/providers.toml` (0600, as aleph init makes it). */
export function writeProviders(ws: Workspace, text: string): void {
  writeFileSync(join(ws.root, "providers.toml"), text, { mode: 0o600 });
}

/** A `[providers.<name>]` table for an OpenAI-compatible fake. */
export function openaiProvider(name: string, server: FakeModelServer, extra = ""): string {
  return `[providers.${name}]\nprotocol = "openai"\nmodel = "fake-model"\nbase_url = "${server.baseUrls.openai}"\nmax_retries = 1\n${extra}\n`;
}
