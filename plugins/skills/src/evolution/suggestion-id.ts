import { randomBytes } from "node:crypto";

/*
 * Suggestion ids are typed by people (`aleph skills suggestions apply sg_…`), so they are short,
 * lower case, and free of the letters that read like digits (Crockford's base 32: no i, l, o, u).
 * Fifty random bits: a collision among the few hundred suggestions a root ever holds is out of
 * reach, and the store retries on the primary key anyway.
 */

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
export const SUGGESTION_ID_PREFIX = "sg_";
const RANDOM_CHARS = 10;

export const SUGGESTION_ID_PATTERN = /^sg_[0-9abcdefghjkmnpqrstvwxyz]{10}$/;

export function newSuggestionId(): string {
  return SUGGESTION_ID_PREFIX + [...randomBytes(RANDOM_CHARS)].map((b) => ALPHABET[b & 31]).join("");
}
