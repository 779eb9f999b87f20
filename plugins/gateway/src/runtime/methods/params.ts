import * as z from "@aleph/zod/mini";
import { explainInvalidId, tryParseSessionKey, parseSessionKey, errorMessage } from "@aleph/plugin-sdk";

/* Param schemas the methods share: ids and keys checked by the SDK's own rules, with its words. */

/** An agent id (a safe path segment, at most 64 characters). */
export const agentId = z.string().check(
  z.superRefine((value, issues) => {
    const problem = explainInvalidId("agent id", value, { maxLength: 64 });
    if (problem) issues.addIssue({ code: "custom", message: problem });
  }),
);

/** A chat id of the chat source of truth. */
export const chatId = z.string().check(
  z.superRefine((value, issues) => {
    const problem = explainInvalidId("chat id", value, { maxLength: 128 });
    if (problem) issues.addIssue({ code: "custom", message: problem });
  }),
);

/** A session key (agent:<id>:main, agent:<id>:<channel>:dm:<peer>, …). */
export const sessionKey = z.string().check(
  z.superRefine((value, issues) => {
    if (tryParseSessionKey(value)) return;
    try {
      parseSessionKey(value);
    } catch (error) {
      issues.addIssue({ code: "custom", message: errorMessage(error) });
    }
  }),
);

/** An integer in [min, max]. */
export const int = (min: number, max: number) => z.number().check(z.int(), z.minimum(min), z.maximum(max));
