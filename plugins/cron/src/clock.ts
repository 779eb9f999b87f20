/*
 * The scheduler's clock, injectable so that tests drive time instead of waiting for it: the plugin's
 * own tests pass a manual clock (createCronPlugin({ clock })), and end-to-end tests through the
 * real CLI set ALEPH_TEST_CRON_TIME_SCALE, which makes the clock run that many times faster than
 * real time from the moment the plugin starts (60: an "every minute" job runs every second).
 */

export interface CronClock {
  /** Milliseconds since the epoch, in the scheduler's time. */
  now(): number;
  /** Calls `callback` once `ms` of the scheduler's time have passed. */
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The longest a Node timer may wait (2^31 - 1 ms, ~24.8 days); a later run is waited for in steps. */
export const MAX_TIMER_MS = 2_147_483_647;

export const systemClock: CronClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, Math.min(ms, MAX_TIMER_MS)),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Real time sped up `scale` times from `anchor` on (now() equals real time at the anchor). */
export function scaledClock(scale: number, anchor = Date.now()): CronClock {
  return {
    now: () => anchor + (Date.now() - anchor) * scale,
    setTimeout: (callback, ms) => setTimeout(callback, Math.min(Math.ceil(ms / scale), MAX_TIMER_MS)),
    clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  };
}

/** The test-only variable: tests through the real CLI speed the scheduler's clock up by this factor. */
export const TIME_SCALE_VARIABLE = "ALEPH_TEST_CRON_TIME_SCALE";

/** Largest accepted factor: an hour a second. */
const MAX_SCALE = 3600;

/**
 * The clock `aleph start` uses: the system clock, or — when ALEPH_TEST_CRON_TIME_SCALE holds a
 * number from 1 to 3600 — real time sped up by it. Any other value is ignored (and said so).
 */
export function clockFromEnv(env: Readonly<Record<string, string | undefined>>): { clock: CronClock; scale?: number; ignored?: string } {
  const raw = env[TIME_SCALE_VARIABLE];
  if (raw === undefined || raw === "") return { clock: systemClock };
  const scale = Number(raw);
  if (!Number.isFinite(scale) || scale < 1 || scale > MAX_SCALE) return { clock: systemClock, ignored: raw };
  return scale === 1 ? { clock: systemClock } : { clock: scaledClock(scale), scale };
}
