import { readFileSync } from "node:fs";
import { join } from "node:path";
import { lockHolder, type AlephPaths } from "@aleph/kernel/light";

/** The running kernel of a root, if there is one: its pid and control socket (announced in run/kernel.json). */
export function runningKernel(paths: AlephPaths): { pid: number; socket: string } | undefined {
  const holder = lockHolder(paths.runDir);
  if (!holder) return undefined;
  try {
    const info = JSON.parse(readFileSync(join(paths.runDir, "kernel.json"), "utf8")) as { pid?: number; socket?: string };
    if (info.pid === holder.pid && typeof info.socket === "string") return { pid: holder.pid, socket: info.socket };
  } catch {
    // starting up: the socket is not announced yet
  }
  return undefined;
}
