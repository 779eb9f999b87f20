import { readFileSync } from "node:fs";
import { parseTomlText } from "@aleph/kernel/light";
import { DEFAULT_KERNEL_HEAP_MB } from "./kernel-thread.js";

/** The `[extensions]` keys the supervisor acts on, read before each kernel it starts. */
export interface SupervisorSettings {
  stallTimeoutMs: number;
  shutdownTimeoutMs: number;
  kernelMaxHeapMb: number;
  quarantineAfter: number;
}

/** The defaults and bounds of config-schema.ts's [extensions] (the kernel validates the file; here a bad value is just not used). */
const KEYS: Record<keyof SupervisorSettings, { key: string; min: number; max: number; fallback: number }> = {
  stallTimeoutMs: { key: "stall_timeout_ms", min: 1_000, max: 600_000, fallback: 10_000 },
  shutdownTimeoutMs: { key: "shutdown_timeout_ms", min: 100, max: 600_000, fallback: 10_000 },
  kernelMaxHeapMb: { key: "kernel_max_heap_mb", min: 64, max: 65_536, fallback: DEFAULT_KERNEL_HEAP_MB },
  quarantineAfter: { key: "quarantine_after", min: 1, max: 100, fallback: 2 },
};

/**
 * Reads config.toml's [extensions] without the kernel's validation stack (the supervisor stays
 * thin). A missing file, a syntax error or an out-of-range value gives the default: the kernel
 * child reports an invalid config itself and exits, and the supervisor stops with it.
 */
export function readSupervisorSettings(configFile: string): SupervisorSettings {
  let extensions: Record<string, unknown> = {};
  try {
    const parsed = parseTomlText(readFileSync(configFile, "utf8")) as { extensions?: unknown };
    if (typeof parsed.extensions === "object" && parsed.extensions !== null) extensions = parsed.extensions as Record<string, unknown>;
  } catch {
    // defaults
  }
  const settings = {} as SupervisorSettings;
  for (const [name, { key, min, max, fallback }] of Object.entries(KEYS) as [keyof SupervisorSettings, (typeof KEYS)[keyof SupervisorSettings]][]) {
    const value = extensions[key];
    settings[name] = typeof value === "number" && Number.isInteger(value) && value >= min && value <= max ? value : fallback;
  }
  return settings;
}
