/*
 * zod 4, bundled into one module. The package zod is ~80 ES modules (50 of them locales nothing
 * loads on purpose); resolving, reading and linking each cost `aleph start` about 20 ms. The
 * launcher and the bundled plugins import zod through this module (their builds alias "zod" to
 * "@aleph/zod"), so they still share one instance. Third-party plugins import zod as usual.
 */
import "./setup.js";

export * from "zod";
export { z, default } from "zod";
