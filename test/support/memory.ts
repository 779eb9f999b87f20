/* What the memory e2e tests share: a hit of `aleph memory search --json`, and that search. */
import { runCliJson, type Workspace } from "./aleph.js";

/** One element of `aleph memory search --json`. */
export interface MemoryHit {
  id: string;
  text: string;
  score: number;
  sources: string[];
  tags: string[];
  createdAt: number;
  parts: { fused: number; recency: number; importance: number };
}

/** `aleph memory search <query> --json [extra…]`, parsed. */
export function memorySearch(ws: Workspace, query: string, extra: string[] = []): Promise<MemoryHit[]> {
  return runCliJson<MemoryHit[]>(ws, ["memory", "search", query, "--json", ...extra]);
}
