import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isAlive, lockHolder, type AlephPaths } from "@aleph/kernel/light";

/**
 * The running kernel of a root, if there is one: its pid and control socket (announced in
 * run/kernel.json). The lock is held by the kernel itself (`aleph start --no-supervisor`) or by the
 * supervisor running it (`lockPid`); between a crash and the restart the supervisor still holds
 * the lock while no kernel serves: undefined then, and callers wait (kernel-handle/open.ts).
 */
export function runningKernel(paths: AlephPaths): { pid: number; socket: string } | undefined {
  const holder = lockHolder(paths.runDir);
  if (!holder) return undefined;
  try {
    const info = JSON.parse(readFileSync(join(paths.runDir, "kernel.json"), "utf8")) as { pid?: number; lockPid?: number; socket?: string };
    if (typeof info.pid !== "number" || typeof info.socket !== "string") return undefined;
    if ((info.lockPid ?? info.pid) === holder.pid && isAlive(info.pid)) return { pid: info.pid, socket: info.socket };
  } catch {
    // starting up: the socket is not announced yet
  }
  return undefined;
}
