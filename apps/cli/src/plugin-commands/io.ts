/** What a command gets from the process: its output streams, environment and working directory. */
export interface CommandIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Standard input (process.stdin by default). */
  stdin?: NodeJS.ReadStream;
}
