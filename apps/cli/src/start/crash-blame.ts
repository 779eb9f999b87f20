import { EXIT_OWNER_SLOT, PHASE_IMPORT, PHASE_OWNER_SLOT, PHASE_SETUP, PHASE_SLOT, type CrashBlame, type PluginFiles, type RestartInfo } from "@aleph/kernel/light";

/** What the supervisor knows when a kernel thread has ended (start/supervisor.ts collects it). */
export interface KernelEnd {
  exitCode: number;
  /** The thread's error event: ERR_WORKER_OUT_OF_MEMORY, or an error thrown outside every handler. */
  error?: { code?: string; message: string };
  /** The supervisor ended it: its heartbeat stopped for stall_timeout_ms. */
  stalled: boolean;
  /** The shared slots as they were at the end (supervision-protocol.ts). */
  slots: Int32Array;
  /** The owner slot when the stall was seen (the plugin the loop is in). */
  stallOwner: number;
  /** The owner seen running most while the heap was high (0: none). */
  heapSuspect: number;
  /** The owner table and each plugin's files, as the kernel told them. */
  owners: Map<number, { id: string; files?: PluginFiles }>;
}

export interface CrashVerdict {
  reason: "exit" | "crash" | "stall" | "heap";
  detail: string;
  blames: CrashBlame[];
}

function ended(end: KernelEnd): string {
  if (end.stalled) return "stopped answering (its event loop was stuck) and was ended";
  if (end.error?.code === "ERR_WORKER_OUT_OF_MEMORY") return "ran out of heap ([extensions] kernel_max_heap_mb)";
  if (end.error) return `failed: ${end.error.message}`;
  return `exited with code ${end.exitCode}`;
}

/**
 * Who is to blame for a kernel's end, from the shared slots the kernel wrote before it ran plugin code:
 * 1. the exit note — a plugin called process.exit (certain);
 * 2. the breadcrumb — the end came inside one plugin's import or setup (certain);
 * 3. for a stall, the plugin whose code the loop is in; for a heap overrun, the plugin seen running
 *    most while the heap filled (suspicions, counted toward quarantine_after).
 */
export function judgeCrash(end: KernelEnd): CrashVerdict {
  const oom = end.error?.code === "ERR_WORKER_OUT_OF_MEMORY";
  const exitOwner = end.slots[EXIT_OWNER_SLOT]!;
  const phase = end.slots[PHASE_SLOT]!;
  const phaseOwner = end.slots[PHASE_OWNER_SLOT]!;
  const reason: CrashVerdict["reason"] = end.stalled ? "stall" : oom ? "heap" : exitOwner > 0 ? "exit" : "crash";
  const what = ended(end);
  const blame = (index: number, detail: string, certain: boolean): CrashVerdict => {
    const owner = end.owners.get(index);
    if (!owner) return { reason, detail: `the kernel ${what}`, blames: [] };
    return { reason, detail: `the kernel ${what}: ${detail}`, blames: [{ id: owner.id, reason: `the kernel ${what}: ${detail}`, certain, files: owner.files }] };
  };
  const name = (index: number) => `plugin "${end.owners.get(index)?.id}"`;
  if (exitOwner > 0) return blame(exitOwner, `${name(exitOwner)} called process.exit(${end.exitCode})`, true);
  if ((phase === PHASE_SETUP || phase === PHASE_IMPORT) && phaseOwner > 0) {
    return blame(phaseOwner, `it happened during the ${phase === PHASE_SETUP ? "setup" : "import"} of ${name(phaseOwner)}`, true);
  }
  if (end.stalled && end.stallOwner > 0) return blame(end.stallOwner, `the event loop was stuck while ${name(end.stallOwner)} was running`, false);
  if (oom && end.heapSuspect > 0) return blame(end.heapSuspect, `the heap filled while ${name(end.heapSuspect)} was running most`, false);
  return { reason, detail: `the kernel ${what}`, blames: [] };
}

export function restartInfo(verdict: CrashVerdict): RestartInfo {
  const blamed = verdict.blames.map((b) => b.id).join(", ");
  return { reason: verdict.reason, ...(blamed ? { blamed } : {}), detail: verdict.detail, at: new Date().toISOString() };
}
