import type { AlephPaths } from "@aleph/kernel";
import { controlRequest } from "../control/client.js";
import { runningKernel } from "./running-kernel.js";

/**
 * One question to the running kernel (`status`, `plugins.list`, `plugins.inspect`), or undefined
 * when none runs: for the kernel's own commands that report on a running kernel and fall back to
 * the disk. Commands that need plugin state either way open a handle instead (open.ts).
 */
export async function askRunningKernel(paths: AlephPaths, method: string, params: Record<string, unknown> = {}): Promise<unknown> {
  const kernel = runningKernel(paths);
  if (!kernel) return undefined;
  return controlRequest(kernel.socket, method, params);
}
