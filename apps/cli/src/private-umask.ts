import { isMainThread } from "node:worker_threads";

/*
 * A process that runs a kernel creates what it writes private: umask 077, so a file or directory
 * made without an explicit mode — by a library such as LanceDB (memory/facts.lance), or by a
 * third-party plugin — is 0600/0700 like everything Aleph writes itself (private-fs.ts modes are
 * exact whatever the umask). Set from the main thread (a worker cannot; the mask is process-wide).
 */
export function usePrivateUmask(): void {
  if (isMainThread) process.umask(0o077);
}
