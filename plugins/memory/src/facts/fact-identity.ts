import { createHash, randomBytes } from "node:crypto";
import { AlephError } from "@aleph/plugin-sdk";

/*
 * What makes two facts "the same" and how facts are named. A fact's content hash covers its
 * agent, its scope and its normalised text, so one agent saying one thing twice stores it once,
 * while two agents (or two scopes) keep their own copies. Fact ids sort by creation time.
 */

/** The text as compared for duplicates: compatibility form, lower case, single spaces, no trailing full stop. */
export function normaliseFactText(text: string): string {
  return text
    .normalize("NFKC")
    .toLowerCase()
    .replace(/\s+/g, " ")
    .trim()
    .replace(/[.!。]+$/u, "")
    .trim();
}

/** sha256 (hex) of agent, scope and normalised text, NUL-separated so no two triples run together. */
export function contentHash(agentId: string, scope: string, text: string): string {
  return createHash("sha256").update(`${agentId}\0${scope}\0${normaliseFactText(text)}`).digest("hex");
}

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const TIME_CHARS = 10;
const RANDOM_CHARS = 16;
const MAX_TIME = 2 ** 48 - 1;

function encodeTime(ms: number): string {
  let out = "";
  for (let i = 0; i < TIME_CHARS; i++) {
    out = CROCKFORD[ms % 32]! + out;
    ms = Math.floor(ms / 32);
  }
  return out;
}

/** 80 random bits as 16 base-32 digits (each digit 5 bits). */
function randomDigits(): number[] {
  const bytes = randomBytes(RANDOM_CHARS);
  return [...bytes].map((b) => b & 31);
}

/**
 * Makes fact ids: 26 characters of Crockford base 32 (a ULID), 48 bits of milliseconds then 80
 * random bits. Ids made by one factory sort in the order they were made, also within one
 * millisecond (the random part is incremented) and when the clock steps back (the last time is kept).
 */
export function createFactIdFactory(now: () => number = Date.now): () => string {
  let lastTime = -1;
  let lastRandom: number[] = [];
  return () => {
    const time = Math.max(now(), lastTime);
    if (!Number.isInteger(time) || time < 0 || time > MAX_TIME) throw new AlephError("ALEPH_E_USAGE", `cannot make a fact id for time ${String(time)}`, { fix: "the clock must give milliseconds since 1970" });
    if (time === lastTime) {
      // Same millisecond: the next id is the last one plus one, so the order holds.
      let i = RANDOM_CHARS - 1;
      while (i >= 0 && lastRandom[i] === 31) lastRandom[i--] = 0;
      if (i < 0) throw new AlephError("ALEPH_E_LIMIT", "too many fact ids in one millisecond", { fix: "retry in a millisecond" });
      lastRandom[i]!++;
    } else {
      lastTime = time;
      lastRandom = randomDigits();
    }
    return encodeTime(time) + lastRandom.map((d) => CROCKFORD[d]).join("");
  };
}

const FACT_ID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** The creation time (ms) a fact id carries; a string that is no fact id is an error saying so. */
export function factIdTime(id: string): number {
  if (!FACT_ID.test(id)) throw new AlephError("ALEPH_E_INVALID_ID", `"${id}" is not a fact id`, { fix: "fact ids are 26 characters of Crockford base 32, as `aleph memory list` prints them" });
  let ms = 0;
  for (const ch of id.slice(0, TIME_CHARS)) ms = ms * 32 + CROCKFORD.indexOf(ch);
  if (ms > MAX_TIME) throw new AlephError("ALEPH_E_INVALID_ID", `"${id}" is not a fact id (its time is out of range)`);
  return ms;
}
