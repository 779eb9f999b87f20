import { createHash } from "node:crypto";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { mkdirPrivate, writeFileAtomic } from "@aleph/plugin-sdk";

/*
 * Images, audio and binary resources a tool returns are not put in front of the model as base64:
 * they are written to `<root>/data/mcp/media/<sha256>.<ext>` (0600, in a 0700 folder, like everything
 * under the state root) and the result carries a reference to the file. Named by content, so the same
 * image returned twice is one file, and a name never comes from the server.
 */

const EXTENSIONS: Record<string, string> = {
  "image/png": "png",
  "image/jpeg": "jpg",
  "image/gif": "gif",
  "image/webp": "webp",
  "image/svg+xml": "svg",
  "image/bmp": "bmp",
  "image/avif": "avif",
  "audio/wav": "wav",
  "audio/x-wav": "wav",
  "audio/mpeg": "mp3",
  "audio/ogg": "ogg",
  "audio/webm": "weba",
  "audio/flac": "flac",
  "audio/mp4": "m4a",
  "application/pdf": "pdf",
  "application/json": "json",
  "application/zip": "zip",
  "application/gzip": "gz",
  "text/plain": "txt",
};

/** A file extension for a MIME type: a known one, else its subtype if it is a plain word, else bin. */
export function extensionFor(mimeType: string | undefined): string {
  const type = (mimeType ?? "").toLowerCase().split(";")[0]!.trim();
  const known = EXTENSIONS[type];
  if (known) return known;
  const subtype = /^[a-z]+\/([a-z0-9]{1,10})$/.exec(type)?.[1];
  return subtype ?? "bin";
}

export interface SavedMedia {
  path: string;
  bytes: number;
}

export class MediaStore {
  constructor(readonly dir: string) {}

  /** Writes the bytes (once per content) and says where they are. */
  async save(data: Uint8Array, mimeType: string | undefined): Promise<SavedMedia> {
    const digest = createHash("sha256").update(data).digest("hex");
    const path = join(this.dir, `${digest}.${extensionFor(mimeType)}`);
    const exists = await stat(path).then(
      (s) => s.isFile() && s.size === data.length,
      () => false,
    );
    if (!exists) {
      await mkdirPrivate(this.dir);
      await writeFileAtomic(path, data, { durable: false });
    }
    return { path, bytes: data.length };
  }
}
