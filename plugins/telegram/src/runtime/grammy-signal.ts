import type { Api } from "grammy";

/**
 * grammY types an AbortSignal as its Node 12 polyfill's (abort-controller); Node's own works at run
 * time (grammY only listens to it), so this is a cast for the type checker alone.
 */
export const forGrammy = (signal: AbortSignal) => signal as unknown as NonNullable<Parameters<Api["getMe"]>[0]>;
