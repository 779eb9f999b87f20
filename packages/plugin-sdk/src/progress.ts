/*
 * A progress bar for long commands (`aleph memory import`, `reindex`): redrawn in place on a
 * terminal, at most every 100 ms; nothing but the final line when the output is not a terminal
 * (a log or a pipe gets no carriage-return noise).
 */

export interface ProgressBar {
  /** Sets how far it is (`done` of `total`). */
  update(done: number, total: number): void;
  /** Draws the last state and ends the line. */
  done(summary?: string): void;
}

export interface ProgressBarOptions {
  label: string;
  /** Where it draws (stderr, usually). */
  write: (text: string) => void;
  /** Redraw in place (a terminal) or print only the final line. */
  tty: boolean;
  now?: () => number;
}

const WIDTH = 28;

export function progressBar(options: ProgressBarOptions): ProgressBar {
  const now = options.now ?? Date.now;
  let last = 0;
  let state = { done: 0, total: 0 };
  const line = () => {
    const ratio = state.total > 0 ? Math.min(1, state.done / state.total) : 0;
    const filled = Math.round(ratio * WIDTH);
    return `${options.label} [${"#".repeat(filled)}${"-".repeat(WIDTH - filled)}] ${state.done}/${state.total} ${Math.floor(ratio * 100)}%`;
  };
  return {
    update(done, total) {
      state = { done, total };
      if (!options.tty || now() - last < 100) return;
      last = now();
      options.write(`\r${line()}`);
    },
    done(summary) {
      const text = summary ? `${line()} ${summary}` : line();
      options.write(options.tty ? `\r${text}\n` : `${text}\n`);
    },
  };
}
