import { useEffect, useState } from "preact/hooks";

/** The current time, re-rendering every `everyMs` (uptimes and "12 s ago" stay current). */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
