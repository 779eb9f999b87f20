/*
 * The agent loop's working code, built as an entry of its own (dist/runtime.js) and imported on the
 * first turn or recovery: the entry the kernel imports at start stays one small file.
 */
export { TurnRunner } from "./turn-runner.js";
export { completeInterruptedTurns } from "./recovery.js";
