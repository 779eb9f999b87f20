import * as z from "zod/mini";

/*
 * The kernel's zod: the mini API (a classic schema carries ~40 methods per instance and clones at
 * each chained call; the kernel's schemas are built at every start). zod/mini installs no messages
 * — only the classic API does — and without a locale every issue reads "Invalid input", so the
 * English one is installed here. (In the launcher this is @aleph/zod/mini, which has it already.)
 */
z.config(z.locales.en());

export { z };
