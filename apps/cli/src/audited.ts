import { audit, errorMessage } from "@aleph/plugin-sdk";

/** Runs a mutating command's work and appends its audit line, whatever the outcome. */
export async function audited<T>(root: string, action: string, target: string, work: () => Promise<T>): Promise<T> {
  try {
    const result = await work();
    audit(root, { actor: "cli", action, target, ok: true });
    return result;
  } catch (error) {
    audit(root, { actor: "cli", action, target, ok: false, error: errorMessage(error) });
    throw error;
  }
}
