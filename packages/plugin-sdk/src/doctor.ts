import type { CommandInput, KernelHandle } from "./commands.js";

/*
 * Checks a plugin contributes to `aleph doctor`. The manifest says the plugin has some
 * (`[plugin] doctor = true`), so doctor spawns nothing for the others; the definition's `doctor`
 * runs in a child process of doctor's, with a time limit, so a plugin that hangs or crashes there
 * cannot stop the report.
 */

/** One thing a plugin's check found: fine (ok) or a problem with how to fix it. */
export interface DoctorFinding {
  /** What was checked, e.g. "agents" (default: the plugin id). */
  check?: string;
  ok: boolean;
  message: string;
  path?: string;
  fix?: string;
  /** With --fix: what was repaired (only creating what is missing; never deleting or overwriting). */
  fixed?: string;
}

export interface DoctorInput {
  /** The running kernel, or one started for the checks with only this plugin and what it requires. */
  readonly kernel: KernelHandle;
  readonly paths: CommandInput["paths"];
  readonly env: CommandInput["env"];
  readonly cwd: string;
  /** `aleph doctor --fix`: repair what can be repaired by creating what is missing, then report. */
  readonly fix: boolean;
}

export type DoctorHandler = (input: DoctorInput) => DoctorFinding[] | Promise<DoctorFinding[]>;
