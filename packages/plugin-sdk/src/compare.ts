/**
 * Orders two strings by their UTF-16 code units — the order of ids, keys and names in listings.
 * Not `localeCompare`: its result depends on the machine's locale (a listing must read the same
 * everywhere), and its first call loads ICU's collator, ~6 ms of a kernel's start.
 */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
