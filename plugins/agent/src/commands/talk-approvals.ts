import { createInterface } from "node:readline";
import { approvalsRef, errorMessage, type ApprovalAnswer, type CommandInput, type PendingApproval } from "@aleph/plugin-sdk/core";

/*
 * `aleph talk` answering its turns' approval requests inline: the question goes to stderr, and
 * the lines typed go to the oldest open question (y, n, a; anything else asks again). A request
 * the turn stops waiting for (timed out, answered with `aleph approvals` elsewhere) closes its
 * question, and lines are the conversation's again. Input ending answers every open question no.
 */

const ANSWERS: Record<string, ApprovalAnswer> = { y: "approve", yes: "approve", n: "deny", no: "deny", a: "always", always: "always" };

export class TalkApprovals {
  /** Open questions, oldest first. */
  readonly #open: PendingApproval[] = [];
  #ended = false;

  constructor(private readonly cmd: CommandInput) {}

  /** A request of the turn: asked now (answered no at once when input has ended). */
  ask(approval: PendingApproval): void {
    this.#open.push(approval);
    this.cmd.err(`\n[approval ${approval.id}] ${approval.tool}: ${approval.summary}\n`);
    if (approval.always !== undefined) this.cmd.err(`  always = ${approval.always}\n`);
    if (this.#ended) this.#answer(approval, "deny");
    else if (this.#open.length === 1) this.#prompt(approval);
  }

  /** A line typed: the oldest open question's answer, if there is one. Returns whether it was taken. */
  offer(line: string): boolean {
    const question = this.#open[0];
    if (!question) return false;
    const answer = ANSWERS[line.trim().toLowerCase()];
    if (answer === undefined || (answer === "always" && question.always === undefined)) this.#prompt(question);
    else this.#answer(question, answer);
    return true;
  }

  /** No more input: every open question, and any later one, is answered no. */
  inputEnded(): void {
    this.#ended = true;
    for (const question of [...this.#open]) {
      this.cmd.err("  (no more input: denied)\n");
      this.#answer(question, "deny");
    }
  }

  /** The turn says a request ended: its question, if still open, takes no more lines. */
  resolved(event: { id: string; approved: boolean; by: string; reason?: string }): void {
    this.#close(event.id);
    if (event.approved) this.cmd.err(`[approved${event.by === "aleph talk" ? "" : ` by ${event.by}`}]\n`);
    else this.cmd.err(`[denied: ${event.reason ?? "no reason given"}]\n`);
  }

  #prompt(question: PendingApproval): void {
    const choices = question.always !== undefined ? "[y]es / [n]o / [a]lways" : "[y]es / [n]o";
    this.cmd.err(`  allow? ${choices} (or: aleph approvals approve|deny ${question.id}) `);
  }

  #answer(question: PendingApproval, answer: ApprovalAnswer): void {
    this.#close(question.id);
    this.cmd.kernel
      .service(approvalsRef)
      .answer(question.id, answer, "aleph talk")
      .catch((error: unknown) => this.cmd.err(`  (${errorMessage(error)})\n`));
  }

  #close(id: string): void {
    const at = this.#open.findIndex((q) => q.id === id);
    if (at < 0) return;
    this.#open.splice(at, 1);
    if (at === 0 && this.#open[0]) this.#prompt(this.#open[0]);
  }
}

/** Feeds stdin's lines to `approvals`, reading stdin only once a question is asked (a plain `talk -m` never touches it). */
export function answerFromStdin(stdin: NodeJS.ReadableStream, approvals: TalkApprovals): { start(): void; close(): void } {
  let rl: ReturnType<typeof createInterface> | undefined;
  return {
    start() {
      if (rl) return;
      rl = createInterface({ input: stdin, terminal: false });
      rl.on("line", (line) => void approvals.offer(line));
      rl.once("close", () => approvals.inputEnded());
    },
    close() {
      rl?.close();
      // readline leaves the stream flowing; paused, it no longer keeps the process alive.
      if (rl) stdin.pause();
    },
  };
}
