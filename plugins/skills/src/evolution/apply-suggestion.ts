import { constants } from "node:fs";
import { chmod, copyFile, lstat, mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { randomBytes } from "node:crypto";
import { AlephError, errorMessage, mkdirPrivate, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, writeFileAtomic } from "@aleph/plugin-sdk";

/*
 * Putting an accepted suggestion in place. The old SKILL.md is kept beside the new one, named with
 * when it was replaced, so undoing is a rename; the new one replaces it in one step, so the skill
 * index (which may be watching the folder) never reads half a file. A skill whose winning copy
 * ships with a plugin cannot be changed where it is: its folder is copied to the user's skills
 * folder first, where a copy shadows the plugin's.
 */

const pad = (n: number) => String(n).padStart(2, "0");

/** `YYYYMMDD-HHMMSS` in local time: the clock the user reads `ls` by. */
export function backupStamp(now: Date): string {
  return `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
}

/** The backup's name for `file` at `now`, the n-th when others of the same second exist: SKILL.md.20260305-090703.bak, then SKILL.md.20260305-090703-2.bak. */
export function backupName(file: string, now: Date, n = 1): string {
  return join(dirname(file), `${basename(file)}.${backupStamp(now)}${n > 1 ? `-${n}` : ""}.bak`);
}

const MAX_BACKUPS_PER_SECOND = 100;

/**
 * Writes `content` over `target` atomically, first copying the current file to a backup beside it
 * (never over an existing backup). Returns the backup, or null when there was no file (its folder
 * is made). The new file keeps the old one's permissions, readable and writable by its owner. A
 * SKILL.md that is a symbolic link is replaced by a file; the backup holds what the link showed.
 */
export async function applySkillFile(target: string, content: string, now: Date | number = Date.now()): Promise<{ backupFile: string | null }> {
  const when = typeof now === "number" ? new Date(now) : now;
  const current = await stat(target).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw fsError(error, target, "read");
  });
  if (current && !current.isFile()) {
    throw new AlephError("ALEPH_E_UNSAFE_PATH", `${target} is not a file`, { file: target, fix: "move what is there aside; a skill's SKILL.md is a regular file" });
  }
  let backupFile: string | null = null;
  if (current) backupFile = await backUp(target, when);
  else await mkdirPrivate(dirname(target));
  const mode = current ? (current.mode & 0o777) | PRIVATE_FILE_MODE : PRIVATE_FILE_MODE;
  try {
    await writeFileAtomic(target, content, { mode });
  } catch (error) {
    throw fsError(error, target, "write");
  }
  return { backupFile };
}

/** Copies `file` to the first free backup name; COPYFILE_EXCL makes "free" and "taken" one step. */
async function backUp(file: string, now: Date): Promise<string> {
  for (let n = 1; n <= MAX_BACKUPS_PER_SECOND; n++) {
    const backup = backupName(file, now, n);
    try {
      await copyFile(file, backup, constants.COPYFILE_EXCL);
      return backup;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw fsError(error, backup, "write");
    }
  }
  throw new AlephError("ALEPH_E_LIMIT", `${MAX_BACKUPS_PER_SECOND} backups of ${file} were already made at ${backupStamp(now)}`, { file, fix: "wait a second and apply again" });
}

/**
 * Copies a skill folder (SKILL.md, scripts/, references/, assets/…) to `toDir`, which must not
 * exist: regular files and folders only, symbolic links and anything else skipped (a link could
 * point anywhere, and a copy must not bring along what its source never held). The copy is made
 * beside `toDir` and renamed into place, so the index never sees it half made. Files keep their
 * permissions (scripts stay executable) and become writable by their owner: the user now owns them.
 */
export async function copySkillFolder(fromDir: string, toDir: string): Promise<{ files: string[]; skipped: string[] }> {
  if (await lstat(toDir).then(() => true, () => false)) {
    throw new AlephError("ALEPH_E_DUPLICATE", `${toDir} exists already: the skill cannot be copied there`, {
      file: toDir,
      fix: "it is probably an earlier copy of the skill: apply the suggestion to it, or move it aside and try again",
    });
  }
  const source = await stat(fromDir).catch((error: unknown) => {
    throw fsError(error, fromDir, "read");
  });
  if (!source.isDirectory()) throw new AlephError("ALEPH_E_NOT_FOUND", `${fromDir} is not a folder`, { file: fromDir, fix: "give the skill's folder, the one holding its SKILL.md" });
  await mkdirPrivate(dirname(toDir));
  const temp = join(dirname(toDir), `.${basename(toDir)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  const files: string[] = [];
  const skipped: string[] = [];
  try {
    await copyTree(fromDir, temp, "", files, skipped);
    await rename(temp, toDir);
  } catch (error) {
    await rm(temp, { recursive: true, force: true }).catch(() => undefined);
    if (error instanceof AlephError) throw error;
    if ((error as NodeJS.ErrnoException).code === "ENOTEMPTY" || (error as NodeJS.ErrnoException).code === "EEXIST") {
      throw new AlephError("ALEPH_E_DUPLICATE", `${toDir} appeared while the skill was being copied there`, { file: toDir, fix: "look at what is there, then try again" });
    }
    throw fsError(error, toDir, "write");
  }
  return { files, skipped };
}

async function copyTree(from: string, to: string, rel: string, files: string[], skipped: string[]): Promise<void> {
  await mkdir(to, { mode: PRIVATE_DIR_MODE });
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const path = rel === "" ? entry.name : `${rel}/${entry.name}`;
    if (entry.isDirectory()) await copyTree(join(from, entry.name), join(to, entry.name), path, files, skipped);
    else if (entry.isFile()) {
      const dest = join(to, entry.name);
      await copyFile(join(from, entry.name), dest, constants.COPYFILE_EXCL);
      const { mode } = await stat(dest);
      if ((mode & 0o600) !== 0o600) await chmod(dest, (mode & 0o777) | 0o600);
      files.push(path);
    } else skipped.push(path);
  }
}

function fsError(error: unknown, file: string, what: "read" | "write"): AlephError {
  if (error instanceof AlephError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  const denied = code === "EACCES" || code === "EPERM" || code === "EROFS";
  const fix = denied ? `check that you can ${what} in ${dirname(file)}` : code === "ENOENT" ? "check the path" : "check the disk (space, health), then try again";
  return new AlephError(code === "ENOENT" ? "ALEPH_E_NOT_FOUND" : denied ? "ALEPH_E_PERMISSION" : "ALEPH_E_SETUP", `cannot ${what} ${file}: ${errorMessage(error)}`, { file, fix, cause: error });
}
