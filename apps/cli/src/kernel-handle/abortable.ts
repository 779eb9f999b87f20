import { AlephError } from "@aleph/plugin-sdk/core";

/** The error a call ends with when its caller's signal aborts (the remote handle's too). */
export function cancelled(what: string): AlephError {
  return new AlephError("ALEPH_E_CANCELLED", `${what} was cancelled`);
}

/**
 * `work`, unless `signal` aborts first: then it rejects with ALEPH_E_CANCELLED at once. The work
 * itself is not stopped (a service method cannot be interrupted in process); its result is dropped.
 */
export function abortable<T>(work: Promise<T>, signal: AbortSignal | undefined, what: string): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) {
    work.catch(() => {}); // dropped: its failure is nobody's to report
    return Promise.reject(cancelled(what));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      work.catch(() => {});
      reject(cancelled(what));
    };
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/** Both signals, when both are given. */
export function eitherSignal(a: AbortSignal | undefined, b: AbortSignal | undefined): AbortSignal | undefined {
  return a && b ? AbortSignal.any([a, b]) : a ?? b;
}
