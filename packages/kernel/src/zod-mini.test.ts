import { expect, it } from "vitest";
import { z } from "./zod-mini.js";

// In its own file (vitest runs each in a fresh module graph): nothing here loads zod's classic
// API, which is what installs English messages otherwise; the kernel's zod must say what is wrong.
it("gives English messages without the classic API loaded", () => {
  const result = z.strictObject({ port: z.number().check(z.int(), z.minimum(1)) }).safeParse({ port: 0.5, prot: 1 });
  expect(result.success).toBe(false);
  expect(result.error!.issues.map((i) => i.message)).toEqual(["Invalid input: expected int, received number", 'Unrecognized key: "prot"']);
});
