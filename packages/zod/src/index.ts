/*
 * zod 4, bundled into one module. The package zod is ~80 ES modules (50 of them locales nothing
 * loads on purpose); resolving, reading and linking each cost `aleph start` about 20 ms. The
 * launcher and the bundled plugins import zod through this module (their builds alias "zod" to
 * "@aleph/zod"), so they still share one instance. Third-party plugins import zod as usual.
 *
 * Without its JIT: zod compiles each object schema into a function (`new Function`) on its first
 * parse, which pays off over many parses of one schema. Here each schema — a config section, a
 * manifest — is parsed once or twice per start, so the compiling was pure start-up cost (~6 ms of
 * `aleph start`, measured A/B). Only this shared copy is affected, not a plugin's own zod.
 */
import { config } from "zod";

config({ jitless: true });

export * from "zod";
export { z, default } from "zod";
