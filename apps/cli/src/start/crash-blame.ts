import { readBreadcrumb, readCrashNote, type CrashBlame, type RestartInfo } from "@aleph/kernel/light";

/** How a kernel child ended, as the supervisor saw it. */
export interface ChildEnd {
  pid: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The supervisor killed it: its heartbeat stopped for stall_timeout_ms. */
  stalled: boolean;
}

export interface CrashVerdict {
  reason: "exit" | "crash" | "stall" | "heap";
  detail: string;
  blames: CrashBlame[];
}

function ended(end: ChildEnd): string {
  if (end.stalled) return "stopped answering (its event loop was stuck) and was killed";
  if (end.signal === "SIGABRT") return "aborted (out of memory: it reached [extensions] kernel_max_heap_mb)";
  return end.signal ? `was killed by ${end.signal}` : `exited with code ${end.code}`;
}

/**
 * Who is to blame for a kernel child's end, from what it left in run/ (supervision-protocol.ts):
 * 1. a crash note of kind `exit` — a plugin called process.exit (certain);
 * 2. the breadcrumb — the crash came inside a plugin's import or setup (certain when one plugin
 *    was running there; each is suspected when several were importing at once);
 * 3. the watchdog's suspect — for a stall the supervisor acted on, or a heap suspect when the
 *    kernel died of OOM (a suspicion, counted toward quarantine_after).
 */
export function judgeCrash(runDir: string, end: ChildEnd): CrashVerdict {
  const note = readCrashNote(runDir, end.pid);
  const crumb = readBreadcrumb(runDir, end.pid);
  const oom = end.signal === "SIGABRT" || end.code === 134;
  const reason: CrashVerdict["reason"] = end.stalled ? "stall" : oom ? "heap" : note?.kind === "exit" ? "exit" : "crash";
  const base = `the kernel (pid ${end.pid}) ${ended(end)}`;
  if (note?.kind === "exit" && note.plugin !== undefined) {
    return { reason, detail: `${base}: ${note.detail}`, blames: [{ id: note.plugin, reason: note.detail, certain: true, files: note.files }] };
  }
  if (crumb && crumb.phase !== "idle" && crumb.plugins.length > 0) {
    const certain = crumb.plugins.length === 1;
    const where = `during the ${crumb.phase} of ${crumb.plugins.map((p) => `plugin "${p.id}"`).join(", ")}`;
    const what = `${ended(end)} ${where}`;
    return { reason, detail: `${base} ${where}`, blames: crumb.plugins.map((p) => ({ id: p.id, reason: `the kernel ${what}`, certain, files: p.files })) };
  }
  const suspect = note && ((note.kind === "stall" && end.stalled) || (note.kind === "heap" && oom)) ? note : undefined;
  if (suspect?.plugin !== undefined) {
    return { reason, detail: `${base}: ${suspect.detail}`, blames: [{ id: suspect.plugin, reason: `the kernel ${ended(end)}: ${suspect.detail}`, certain: false, files: suspect.files }] };
  }
  return { reason, detail: base, blames: [] };
}

export function restartInfo(verdict: CrashVerdict): RestartInfo {
  const blamed = verdict.blames.map((b) => b.id).join(", ");
  return { reason: verdict.reason, ...(blamed ? { blamed } : {}), detail: verdict.detail, at: new Date().toISOString() };
}
