/*
 * A command runs as the leader of its own process group (spawned detached), so everything it
 * starts — a pipeline, a background job, a grandchild — can be signalled at once through the
 * group id, which is the shell's pid.
 */

/** Signals every process of the group; false when the group is gone (ESRCH). */
export function signalGroup(groupId: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-groupId, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
    // EPERM: a member changed user (a setuid program); the others got the signal.
    return true;
  }
}

/** True while any process of the group exists (signal 0 checks without signalling). */
export function groupAlive(groupId: number): boolean {
  try {
    process.kill(-groupId, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
