/** Waits for `promises` to settle, `ms` at most (a stop's grace for work in flight). */
export async function settleWithin(promises: ReadonlySet<Promise<unknown>>, ms: number): Promise<void> {
  if (promises.size === 0) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.allSettled([...promises]), new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
