/*
 * zod/mini, from the same bundle as the classic API (one shared core, so one configuration: the
 * JIT off and English messages for both, see setup.ts). The kernel and the bundled plugins write their schemas with
 * it: a classic schema carries ~40 methods per instance and every `.min().default().describe()`
 * step clones it, which made zod half of `aleph start`'s heap; a mini schema is a plain object
 * with `check()`. Plugin authors keep the classic `z` of @aleph/plugin-sdk.
 */
import "./setup.js";

export * from "zod/mini";
