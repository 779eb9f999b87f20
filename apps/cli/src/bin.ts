#!/usr/bin/env node
/*
 * The `aleph` executable. `aleph start` (with the options its supervisor passes on) goes to the
 * supervisor, which must start its kernel child before loading anything else; every other command
 * line, `start --help` and `start --no-supervisor` included, goes to the launcher (main.ts).
 */

/** The start options the supervisor passes to its kernel child, or undefined when this is not a plain `aleph start`. */
function supervisedStartArgs(argv: string[]): string[] | undefined {
  if (argv[0] !== "start") return undefined;
  const out: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--no-watch") out.push(arg);
    else if (arg === "--events=json") out.push("--events", "json");
    else if (arg === "--events" && argv[i + 1] === "json") out.push(arg, argv[++i]!);
    else return undefined; // --help, --no-supervisor, or a usage error main.ts explains
  }
  return out;
}

const startArgs = supervisedStartArgs(process.argv.slice(2));
if (startArgs) {
  // The kernel's thread first: it boots and loads the kernel while the supervisor loads.
  const { createKernelThread } = await import("./start/kernel-thread.js");
  const thread = createKernelThread();
  const { supervise } = await import("./start/supervisor.js");
  process.exitCode = await supervise(startArgs, thread);
} else {
  await import("./main.js");
}
