import { spawn } from "node:child_process";

export interface KillTestOptions {
  /** Working directory of the child (where its imports resolve from). */
  cwd?: string;
  /** The line the child prints once it is ready to be killed (default "ready"). */
  readyLine?: string;
  /** How long after that line to send SIGKILL, in ms. */
  killAfterMs: number;
}

/**
 * For crash tests: runs `node script ...args`, waits for its ready line, SIGKILLs it
 * `killAfterMs` later and returns every line it printed. The usual pattern is a child that
 * prints an acknowledgement after each write resolves; after the kill, every acknowledged write
 * must be found on disk.
 */
export async function runAndKill(script: string, args: string[], options: KillTestOptions): Promise<string[]> {
  const readyLine = `${options.readyLine ?? "ready"}\n`;
  const child = spawn(process.execPath, [script, ...args], { cwd: options.cwd, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes(readyLine)) resolve();
    });
    child.on("exit", (code) => reject(new Error(`${script} exited (code ${code}) before printing "${readyLine.trim()}": ${err}`)));
  });
  await new Promise((r) => setTimeout(r, options.killAfterMs));
  child.kill("SIGKILL");
  await exited;
  return out.split("\n");
}
