import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, expect } from "vitest";
import Database from "better-sqlite3";
import { createTestKernel, type TestKernel, type TestPlugin } from "@aleph/testing";
import { sessionsRef, subagentsRef, type SessionsService, type SubagentsService } from "@aleph/plugin-sdk";

/** The plugin under test, loaded from its built dist/ like any plugin. */
export const pluginDir = fileURLToPath(new URL("..", import.meta.url));

let kernel: TestKernel | undefined;
afterEach(async () => {
  await kernel?.stop();
  kernel = undefined;
});

// Roots kept across restarts within a test: removed at the end, once the kernels' loggers are done with them.
const roots: string[] = [];
export function tempRoot(): string {
  const root = mkdtempSync(join(tmpdir(), "aleph-sessions-"));
  roots.push(root);
  return root;
}
afterAll(async () => {
  await new Promise((r) => setTimeout(r, 300));
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

export interface Started {
  kernel: TestKernel;
  sessions: SessionsService;
  subagents: SubagentsService;
}

/** Starts a kernel with the sessions plugin (plus `extra` plugins); stopped after the test. */
export async function start(options: { root?: string; config?: Record<string, unknown>; extra?: TestPlugin[] } = {}): Promise<Started> {
  await kernel?.stop();
  kernel = await createTestKernel({ plugins: [pluginDir, ...(options.extra ?? [])], root: options.root ?? tempRoot(), config: options.config });
  expect(kernel.plugin("sessions")?.status).toBe("active");
  return { kernel, sessions: kernel.service(sessionsRef)!, subagents: kernel.service(subagentsRef)! };
}

export async function stop(): Promise<void> {
  await kernel?.stop();
  kernel = undefined;
}

/** A read-only connection, as an outside reader would open sessions.db. */
export function reader(root: string): Database.Database {
  return new Database(join(root, "sessions.db"), { readonly: true, fileMustExist: true });
}
