import { accessSync, constants, statSync } from "node:fs";
import { delimiter, join } from "node:path";
import type { SkillRequirements } from "@aleph/plugin-sdk";

/*
 * Whether a skill's `requires:` is met. The one checker the CLI, the service and the agent loop go
 * through — they all ask the kernel's index, which asks this — so they never disagree about a skill.
 */

/** What requirements are checked against: the kernel's environment and config, read at check time. */
export interface GateEnvironment {
  /** The kernel's PATH (what `skills list` prints). */
  path: string;
  env: Readonly<Record<string, string | undefined>>;
  /** The value at a dotted config.toml key (the kernel's read-only lookup). */
  configValue: (key: string) => unknown;
  platform: string;
}

/** Why a skill is unavailable: one sentence per unmet requirement; empty when every one is met. */
export function unmetRequirements(requires: SkillRequirements | undefined, gate: GateEnvironment, bins: BinaryLookup): string[] {
  if (!requires) return [];
  const reasons: string[] = [];
  for (const bin of requires.bins) if (!bins.has(bin)) reasons.push(`needs the program "${bin}", which is not on the PATH`);
  if (requires.anyBins.length > 0 && !requires.anyBins.some((bin) => bins.has(bin))) {
    reasons.push(`needs one of the programs ${requires.anyBins.map((b) => `"${b}"`).join(", ")}, none of which is on the PATH`);
  }
  for (const name of requires.env) if (!gate.env[name]) reasons.push(`needs the environment variable ${name}, which is not set`);
  for (const key of requires.config) {
    const value = gate.configValue(key);
    if (value === undefined || value === null || value === false || value === "") reasons.push(`needs the config key ${key} (config.toml), which is not set`);
  }
  if (requires.os.length > 0 && !requires.os.includes(gate.platform)) reasons.push(`runs on ${requires.os.join(" or ")}, not on ${gate.platform}`);
  return reasons;
}

/**
 * Programs on a PATH, looked up once each: one index build asks about the same few binaries for
 * many skills. Made again whenever the index is rebuilt, so a program installed since is found.
 */
export class BinaryLookup {
  readonly #dirs: string[];
  readonly #found = new Map<string, boolean>();

  constructor(path: string) {
    this.#dirs = path.split(delimiter).filter(Boolean);
  }

  has(bin: string): boolean {
    let found = this.#found.get(bin);
    if (found === undefined) {
      found = !bin.includes("/") && !bin.includes("\\") && this.#dirs.some((dir) => isExecutable(join(dir, bin)));
      this.#found.set(bin, found);
    }
    return found;
  }
}

function isExecutable(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
