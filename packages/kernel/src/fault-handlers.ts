import { fileURLToPath } from "node:url";
import { currentPlugin } from "./plugin-activity.js";

/*
 * Unhandled promise rejections and uncaught exceptions: Node ends the process on either, so one
 * plugin's forgotten `.catch()` would take the kernel down. While a kernel runs, this module
 * catches both, blames the plugin they came from and has that plugin failed alone; one it cannot
 * blame is logged with its stack, and the kernel stays up.
 *
 * The blame, most specific first: the first stack frame inside a plugin's directory (where the
 * error was made), else the plugin whose async context the fault surfaced in (plugin-activity.ts:
 * what its import or setup started, so a rejected fs promise with no plugin frame is still its).
 */

export type FaultKind = "rejection" | "exception";

/** A kernel that wants faults: it knows its plugins' directories and fails them. */
export interface FaultTarget {
  pluginOfFile(file: string): string | undefined;
  /** Fails the plugin; false when this kernel has no plugin with that id. */
  failPlugin(id: string, kind: FaultKind, error: unknown): boolean;
  /** A fault no plugin of this kernel can be blamed for. */
  unattributed(kind: FaultKind, error: unknown): void;
}

const targets = new Set<FaultTarget>();

/** The files named in a stack, top frame first (file URLs made paths, query strings dropped). */
export function stackFiles(error: unknown): string[] {
  const stack = error instanceof Error ? error.stack : undefined;
  if (typeof stack !== "string") return [];
  const files: string[] = [];
  for (const line of stack.split("\n")) {
    const match = /(file:\/\/\/[^\s?#):]+|\/[^\s?#():]+)(?:[?#][^\s:)]*)?:\d+/.exec(line);
    if (!match) continue;
    const file = match[1]!.startsWith("file:") ? safePath(match[1]!) : match[1]!;
    if (file) files.push(file);
  }
  return files;
}

function safePath(url: string): string | undefined {
  try {
    return fileURLToPath(url);
  } catch {
    return undefined;
  }
}

/** Blames the fault on a plugin of one of the kernels; true when one took it. */
export function blameFault(kind: FaultKind, error: unknown): boolean {
  for (const file of stackFiles(error)) {
    for (const target of targets) {
      const id = target.pluginOfFile(file);
      if (id !== undefined && target.failPlugin(id, kind, error)) return true;
    }
  }
  const id = currentPlugin();
  if (id !== undefined) for (const target of targets) if (target.failPlugin(id, kind, error)) return true;
  return false;
}

function onRejection(reason: unknown): void {
  if (!blameFault("rejection", reason)) [...targets][0]?.unattributed("rejection", reason);
}

function onException(error: unknown): void {
  if (!blameFault("exception", error)) [...targets][0]?.unattributed("exception", error);
}

/**
 * Routes the process's unhandled rejections and uncaught exceptions to `target` until the
 * returned function is called. The handlers are installed while at least one kernel wants them,
 * so a process with no kernel running keeps Node's behaviour.
 */
export function watchFaults(target: FaultTarget): () => void {
  if (targets.size === 0) {
    process.on("unhandledRejection", onRejection);
    process.on("uncaughtException", onException);
  }
  targets.add(target);
  return () => {
    if (!targets.delete(target) || targets.size > 0) return;
    process.off("unhandledRejection", onRejection);
    process.off("uncaughtException", onException);
  };
}
