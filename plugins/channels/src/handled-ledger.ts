import { readFileSync } from "node:fs";
import { join } from "node:path";
import { mkdirPrivate, writeFileAtomic, type Logger } from "@aleph/plugin-sdk";

/*
 * The messages each channel has answered, durably: data/channels/handled/<channel>.json, the last
 * HANDLED_KEPT message ids, written atomically before `deliver` resolves. A platform redelivers
 * what was not acknowledged (a Telegram offset not yet confirmed, a Discord gateway resumed), and
 * the acknowledgement comes after `deliver`: a message found here was answered and is not answered
 * again — across a reload or a restart, where memory is gone.
 *
 * Bounded on purpose: redeliveries come soon after the original (the next poll, a resume), never
 * a thousand messages later.
 */

export const HANDLED_KEPT = 1000;

interface ChannelLedger {
  ids: string[];
  set: Set<string>;
  writes: Promise<void>;
}

export class HandledLedger {
  readonly #channels = new Map<string, ChannelLedger>();

  #dir: string | undefined;

  /** `where` (the directory) is called on first use. */
  constructor(
    private readonly where: () => string,
    private readonly log: Logger,
  ) {}

  get dir(): string {
    return (this.#dir ??= this.where());
  }

  has(channel: string, messageId: string): boolean {
    return this.#of(channel).set.has(messageId);
  }

  /** Records a message as handled; resolves once the file holds it. */
  record(channel: string, messageId: string): Promise<void> {
    const ledger = this.#of(channel);
    if (!ledger.set.has(messageId)) {
      ledger.ids.push(messageId);
      ledger.set.add(messageId);
      while (ledger.ids.length > HANDLED_KEPT) ledger.set.delete(ledger.ids.shift()!);
    }
    // Each write writes the whole list as it is then, in order: a later write never loses an id.
    const write = async () => {
      await mkdirPrivate(this.dir);
      await writeFileAtomic(this.#file(channel), `${JSON.stringify({ version: 1, ids: ledger.ids })}\n`);
    };
    const next = ledger.writes.then(write, write);
    ledger.writes = next.catch(() => undefined);
    return next;
  }

  #file(channel: string): string {
    // Channel names are checked (lowercase letters, digits, "_", "-"): safe as a file name.
    return join(this.dir, `${channel}.json`);
  }

  #of(channel: string): ChannelLedger {
    let ledger = this.#channels.get(channel);
    if (!ledger) {
      const ids = this.#load(channel);
      ledger = { ids, set: new Set(ids), writes: Promise.resolve() };
      this.#channels.set(channel, ledger);
    }
    return ledger;
  }

  #load(channel: string): string[] {
    let text: string;
    try {
      text = readFileSync(this.#file(channel), "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") this.log.warn("handled-messages file unreadable; starting afresh", { channel, error });
      return [];
    }
    try {
      const ids = (JSON.parse(text) as { ids?: unknown }).ids;
      if (Array.isArray(ids) && ids.every((id) => typeof id === "string")) return ids.slice(-HANDLED_KEPT);
    } catch {
      // reported below
    }
    // Losing it costs at most a repeated answer to a redelivered message (the agent answers an id
    // once, so not a second model call); refusing every message would cost far more.
    this.log.warn("handled-messages file damaged; starting afresh", { channel, file: this.#file(channel) });
    return [];
  }
}
