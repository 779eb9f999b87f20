import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { mkdirPrivate, writeFileAtomic, type Logger } from "@aleph/plugin-sdk";
import type { Update } from "grammy/types";

/*
 * Where polling stands, kept in the plugin's data directory (data/telegram/offset.json, 0600,
 * written atomically and durably):
 *
 *   { "bot_id": 123456, "offset": 10042, "pending": [<update>, …] }
 *
 * `offset` is the getUpdates offset to poll from: every update below it has been received.
 * `pending` are the received updates whose delivery has not finished (deliver() has not resolved):
 * an update leaves it only after deliver() resolved for it — that is its acknowledgement.
 *
 * Why both: Telegram forgets every update below the offset a poll sends, and a poll must go on
 * while turns run (a `/stop` has to arrive while the turn it stops is running). So before a poll
 * sends a higher offset, the updates it will make Telegram forget are written here as pending;
 * a restart or a reload delivers what is pending again, then polls from `offset`. Nothing is lost
 * (an update is always either still at Telegram or here) and nothing finished is taken again.
 * Update ids are per bot: the file names its bot, and another bot's file is not used.
 */

export const OFFSET_FILE = "offset.json";

export interface PollPosition {
  /** The getUpdates offset to poll from (0: from Telegram's oldest). */
  offset: number;
  /** Received, not finished, in update order. */
  pending: Update[];
}

interface OffsetFile {
  bot_id: number;
  offset: number;
  pending: Update[];
  updated_at: string;
}

const START: PollPosition = { offset: 0, pending: [] };

export class OffsetStore {
  readonly file: string;

  constructor(
    private readonly dir: string,
    private readonly botId: number,
    private readonly log: Logger,
  ) {
    this.file = join(dir, OFFSET_FILE);
  }

  /** Where to resume: from Telegram's oldest update, with nothing pending, when there is no file for this bot. */
  async read(): Promise<PollPosition> {
    let text: string;
    try {
      text = await readFile(this.file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") this.log.warn("cannot read the update offset; polling from Telegram's oldest update", { file: this.file, error });
      return START;
    }
    let data: Partial<OffsetFile>;
    try {
      data = JSON.parse(text) as Partial<OffsetFile>;
    } catch {
      this.log.warn("the update offset file is not JSON; polling from Telegram's oldest update", { file: this.file });
      return START;
    }
    if (data.bot_id !== this.botId) {
      this.log.info("the update offset belongs to another bot; polling this one from its oldest update", { file: this.file, botId: this.botId, fileBotId: data.bot_id });
      return START;
    }
    if (typeof data.offset !== "number" || !Number.isSafeInteger(data.offset) || data.offset < 0) {
      this.log.warn("the update offset file holds no valid offset; polling from Telegram's oldest update", { file: this.file });
      return START;
    }
    const pending = Array.isArray(data.pending) ? data.pending.filter(isUpdate).sort((a, b) => a.update_id - b.update_id) : [];
    return { offset: data.offset, pending };
  }

  async write(position: PollPosition): Promise<void> {
    await mkdirPrivate(this.dir);
    const data: OffsetFile = { bot_id: this.botId, offset: position.offset, pending: position.pending, updated_at: new Date().toISOString() };
    await writeFileAtomic(this.file, JSON.stringify(data) + "\n");
  }
}

function isUpdate(value: unknown): value is Update {
  return typeof value === "object" && value !== null && Number.isSafeInteger((value as { update_id?: unknown }).update_id);
}
