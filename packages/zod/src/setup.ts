import { config } from "zod/v4/core";
import en from "zod/v4/locales/en.js";

/*
 * What both entries (classic and mini) share, set once on their one core:
 *
 * English messages. The classic API installs them itself; zod/mini does not, and without a locale
 * every issue reads "Invalid input" — a config.toml or manifest error must say what is wrong.
 *
 * No JIT: zod compiles each object schema into a function (`new Function`) on its first parse,
 * which pays off over many parses of one schema. Here each schema — a config section, a manifest —
 * is parsed once or twice per start, so the compiling was pure start-up cost (~6 ms of
 * `aleph start`, measured A/B). Only this shared copy is affected, not a plugin's own zod.
 */
config({ ...en(), jitless: true });
