import { isAlephError } from "@aleph/plugin-sdk";

/** An error as one line for the audit log: its code and message. */
export function errorText(error: unknown): string {
  if (isAlephError(error)) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
