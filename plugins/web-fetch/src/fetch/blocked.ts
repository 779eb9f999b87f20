import { AlephError } from "@aleph/plugin-sdk";

/*
 * The refusals of web_fetch's policy (scheme, credentials, host lists, non-public addresses), all
 * ALEPH_E_BLOCKED_URL. The model receives only the message, so it says what was refused and why;
 * the fix, for the person reading `aleph tools call` or the logs, says which [tools.web] key grants it.
 */
export function blockedUrl(message: string, fix: string): AlephError {
  return new AlephError("ALEPH_E_BLOCKED_URL", message, { fix });
}
