type Chokidar = typeof import("chokidar");

let loaded: Chokidar | undefined;

/** chokidar, imported on first use: a kernel that does not watch (`--no-watch`, a command's kernel) never loads it. */
export async function loadChokidar(): Promise<Chokidar> {
  return (loaded ??= await import("chokidar"));
}
