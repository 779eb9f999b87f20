import { readFileSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { AlephError, mkdirPrivate, writeFileAtomic, type ChannelPeer, type PairedPeer, type PendingPairing } from "@aleph/plugin-sdk";
import { newPairingCode, normalizePairingCode } from "./pairing-code.js";

/*
 * Pending pairing codes and paired peers, in one file (data/channels/pairing.json, 0600, written
 * atomically). The file is the truth, not this process's memory: `aleph interfaces pair` without a
 * running kernel writes it from another process, and the running kernel must see that pairing on
 * the sender's next message. So every read checks the file's identity (inode, size, mtime — an
 * atomic rename changes the inode) and re-reads it when it changed: one stat per access check.
 *
 * A damaged file fails closed: nobody is paired until it is fixed, and nothing overwrites it.
 */

/** How long a code is good for. */
export const PAIRING_CODE_TTL_MS = 60 * 60 * 1000;
/** At most one code message to a peer per this long, however often they write. */
export const PAIRING_NOTICE_INTERVAL_MS = 10 * 60 * 1000;
/** Codes kept at once (strangers writing to a bot must not grow the file without bound): the oldest go first. */
const MAX_PENDING = 200;

/** A pending code as kept: the public view plus where to tell the peer, and when they were last told. */
interface PendingRecord extends PendingPairing {
  chatId: string;
  notifiedAt: number;
}

interface PairingData {
  version: 1;
  pending: PendingRecord[];
  paired: PairedPeer[];
}

/** What an unknown sender's message produced: their code, and whether to send it to them now. */
export interface PairingOffer {
  code: string;
  expiresAt: number;
  /** A new code (not one they were given before). */
  created: boolean;
  /** Send the code message now (not within PAIRING_NOTICE_INTERVAL_MS of the last one). */
  notify: boolean;
}

/** What `pair` approved, with the chat to tell the peer in. */
export interface Pairing extends PairedPeer {
  chatId: string;
}

const empty = (): PairingData => ({ version: 1, pending: [], paired: [] });

/** Only the peer fields worth keeping (not `bot`, nothing a platform adds). */
function keptPeer(peer: ChannelPeer): ChannelPeer {
  return { id: String(peer.id), ...(peer.name ? { name: String(peer.name) } : {}), ...(peer.username ? { username: String(peer.username) } : {}) };
}

export class PairingStore {
  #cache: { stamp: string; data: PairingData } | undefined;
  #writes: Promise<unknown> = Promise.resolve();

  #file: string | undefined;

  /** `where` is called on first use: a kernel that never sees a channel message creates nothing. */
  constructor(private readonly where: () => string) {}

  get file(): string {
    return (this.#file ??= this.where());
  }

  /** The file as it is now; throws ALEPH_E_CORRUPT when it is damaged. */
  read(): PairingData {
    const stamp = this.#stamp();
    if (this.#cache?.stamp === stamp) return this.#cache.data;
    const data = stamp === "none" ? empty() : this.#parse(readFileSync(this.file, "utf8"));
    this.#cache = { stamp, data };
    return data;
  }

  isPaired(channel: string, peerId: string): boolean {
    return this.read().paired.some((p) => p.channel === channel && p.peer.id === peerId);
  }

  /** Codes still good at `now`, oldest first. */
  pending(now: number): PendingPairing[] {
    return this.read()
      .pending.filter((p) => p.expiresAt > now)
      .map(({ code, channel, peer, createdAt, expiresAt }) => ({ code, channel, peer, createdAt, expiresAt }));
  }

  paired(): PairedPeer[] {
    return this.read().paired.map(({ channel, peer, pairedAt }) => ({ channel, peer, pairedAt }));
  }

  /**
   * An unknown sender wrote: their code (the same one while it is good, so asking again gives no
   * new code), and whether to tell them now (once per PAIRING_NOTICE_INTERVAL_MS).
   */
  request(channel: string, peer: ChannelPeer, chatId: string, now: number): Promise<PairingOffer> {
    return this.#update<PairingOffer>((data) => {
      const mine = data.pending.find((p) => p.channel === channel && p.peer.id === peer.id && p.expiresAt > now);
      if (mine) {
        const notify = now - mine.notifiedAt >= PAIRING_NOTICE_INTERVAL_MS;
        if (notify) mine.notifiedAt = now;
        mine.chatId = chatId;
        mine.peer = keptPeer(peer);
        return { result: { code: mine.code, expiresAt: mine.expiresAt, created: false, notify }, changed: notify };
      }
      const taken = new Set(data.pending.map((p) => normalizePairingCode(p.code)));
      let code = newPairingCode();
      while (taken.has(normalizePairingCode(code))) code = newPairingCode();
      const record: PendingRecord = { code, channel, peer: keptPeer(peer), chatId, createdAt: now, expiresAt: now + PAIRING_CODE_TTL_MS, notifiedAt: now };
      data.pending = data.pending.filter((p) => p.expiresAt > now && !(p.channel === channel && p.peer.id === peer.id));
      data.pending.push(record);
      if (data.pending.length > MAX_PENDING) data.pending.splice(0, data.pending.length - MAX_PENDING);
      return { result: { code, expiresAt: record.expiresAt, created: true, notify: true }, changed: true };
    });
  }

  /** Approves a code: its peer is paired (persisted) and the code is used up. */
  pair(code: string, now: number): Promise<Pairing> {
    const wanted = normalizePairingCode(code);
    return this.#update((data) => {
      const shown = wanted.length === 8 ? `${wanted.slice(0, 4)}-${wanted.slice(4)}` : JSON.stringify(String(code));
      const found = wanted ? data.pending.find((p) => normalizePairingCode(p.code) === wanted) : undefined;
      if (!found) {
        throw new AlephError("ALEPH_E_NOT_FOUND", `no pending pairing code ${shown}`, {
          fix: "check the code against `aleph interfaces pending`; a code is given to whoever writes to the bot unpaired and lasts an hour",
        });
      }
      if (found.expiresAt <= now) {
        throw new AlephError("ALEPH_E_NOT_FOUND", `pairing code ${shown} expired at ${new Date(found.expiresAt).toISOString()}`, {
          fix: "ask them to write to the bot again: they get a new code",
        });
      }
      const pairing: Pairing = { channel: found.channel, peer: found.peer, pairedAt: now, chatId: found.chatId };
      data.pending = data.pending.filter((p) => p !== found && p.expiresAt > now);
      data.paired = data.paired.filter((p) => !(p.channel === found.channel && p.peer.id === found.peer.id));
      data.paired.push({ channel: pairing.channel, peer: pairing.peer, pairedAt: now });
      return { result: pairing, changed: true };
    });
  }

  /** Withdraws a pairing; true when there was one. */
  unpair(channel: string, peerId: string): Promise<boolean> {
    return this.#update((data) => {
      const before = data.paired.length;
      data.paired = data.paired.filter((p) => !(p.channel === channel && p.peer.id === peerId));
      const changed = data.paired.length !== before;
      return { result: changed, changed };
    });
  }

  /** Read-modify-write against the file as it is now, one at a time in this process. */
  #update<T>(change: (data: PairingData) => { result: T; changed: boolean }): Promise<T> {
    const run = async (): Promise<T> => {
      const current = this.read();
      const data: PairingData = structuredClone(current);
      const { result, changed } = change(data);
      if (changed) {
        await mkdirPrivate(dirname(this.file));
        await writeFileAtomic(this.file, `${JSON.stringify(data, null, 2)}\n`);
        this.#cache = { stamp: this.#stamp(), data };
      }
      return result;
    };
    const next = this.#writes.then(run, run);
    this.#writes = next.catch(() => undefined);
    return next;
  }

  #stamp(): string {
    try {
      const s = statSync(this.file, { bigint: true });
      return `${s.ino}:${s.size}:${s.mtimeNs}`;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return "none";
      throw error;
    }
  }

  #parse(text: string): PairingData {
    const damaged = (what: string) =>
      new AlephError("ALEPH_E_CORRUPT", `${this.file} is damaged: ${what}`, {
        file: this.file,
        fix: "correct it, or remove it (paired peers then pair again); until then nobody is paired",
      });
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (error) {
      throw damaged(`not valid JSON (${(error as Error).message})`);
    }
    const obj = raw as { pending?: unknown; paired?: unknown };
    if (typeof raw !== "object" || raw === null || !Array.isArray(obj.pending) || !Array.isArray(obj.paired)) throw damaged('expected {"pending": [...], "paired": [...]}');
    const isPeer = (p: unknown) => typeof p === "object" && p !== null && typeof (p as ChannelPeer).id === "string" && (p as ChannelPeer).id !== "";
    obj.pending.forEach((p: PendingRecord, i) => {
      if (typeof p !== "object" || p === null || typeof p.code !== "string" || typeof p.channel !== "string" || !isPeer(p.peer) || typeof p.expiresAt !== "number" || typeof p.createdAt !== "number") {
        throw damaged(`pending[${i}] needs code, channel, peer.id, createdAt and expiresAt`);
      }
      if (typeof p.chatId !== "string") p.chatId = p.peer.id;
      if (typeof p.notifiedAt !== "number") p.notifiedAt = p.createdAt;
    });
    obj.paired.forEach((p: PairedPeer, i) => {
      if (typeof p !== "object" || p === null || typeof p.channel !== "string" || !isPeer(p.peer) || typeof p.pairedAt !== "number") {
        throw damaged(`paired[${i}] needs channel, peer.id and pairedAt`);
      }
    });
    return { version: 1, pending: obj.pending as PendingRecord[], paired: obj.paired as PairedPeer[] };
  }
}
