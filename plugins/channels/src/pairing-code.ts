import { randomInt } from "node:crypto";

/*
 * One-time pairing codes: 8 characters from an alphabet without look-alikes (no I, O, 0, 1), so a
 * code read off a phone and typed into a terminal is typed right; shown as ABCD-EFGH. 32^8 ≈ 10^12
 * codes: nobody guesses one, and only the owner, on the machine, can use one anyway.
 */

const ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
const LENGTH = 8;

/** A fresh code, as shown: "ABCD-EFGH". */
export function newPairingCode(): string {
  let code = "";
  for (let i = 0; i < LENGTH; i++) code += ALPHABET[randomInt(ALPHABET.length)];
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/** A code as typed (any case, with or without the dash or spaces) in the form codes are compared in. */
export function normalizePairingCode(input: string): string {
  return String(input).toUpperCase().replace(/[^A-Z0-9]/g, "");
}
