import type { AlephPaths } from "@aleph/kernel";
import { controlRequest } from "./control/client.js";
import { runningKernel } from "./kernel-handle/running-kernel.js";

export { runningKernel };

/** Asks the running kernel; undefined when none runs. */
export async function askKernel(paths: AlephPaths, method: string, params: Record<string, unknown> = {}): Promise<unknown> {
  const kernel = runningKernel(paths);
  if (!kernel) return undefined;
  return controlRequest(kernel.socket, method, params);
}
