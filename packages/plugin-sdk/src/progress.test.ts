import { describe, expect, it } from "vitest";
import { progressBar } from "./progress.js";

describe("progressBar", () => {
  it("redraws in place on a terminal, at most every 100 ms, and ends the line", () => {
    const out: string[] = [];
    let now = 0;
    const bar = progressBar({ label: "Importing", write: (t) => out.push(t), tty: true, now: () => now });
    now = 200;
    bar.update(1, 4);
    now = 250;
    bar.update(2, 4); // within 100 ms of the last draw: skipped
    now = 400;
    bar.update(3, 4);
    bar.done("ok");
    expect(out).toEqual([`\rImporting [${"#".repeat(7)}${"-".repeat(21)}] 1/4 25%`, `\rImporting [${"#".repeat(21)}${"-".repeat(7)}] 3/4 75%`, `\rImporting [${"#".repeat(21)}${"-".repeat(7)}] 3/4 75% ok\n`]);
  });

  it("prints only the final line when the output is not a terminal", () => {
    const out: string[] = [];
    const bar = progressBar({ label: "Re-embedding", write: (t) => out.push(t), tty: false, now: () => 1_000 });
    bar.update(5, 10);
    bar.update(10, 10);
    bar.done();
    expect(out).toEqual([`Re-embedding [${"#".repeat(28)}] 10/10 100%\n`]);
  });
});
