/** Thrown by withTimeout; the caller maps it to ALEPH_E_TIMEOUT. */
export class TimeoutError extends Error {
  constructor(readonly ms: number, what: string) {
    super(`${what} did not finish within ${ms} ms`);
    this.name = "TimeoutError";
  }
}

/** Races a promise against a timer. The work itself cannot be cancelled; the caller stops waiting. */
export function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(ms, what)), ms);
    timer.unref?.();
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
