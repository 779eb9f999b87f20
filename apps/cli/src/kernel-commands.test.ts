import { describe, expect, it } from "vitest";
import { KERNEL_COMMANDS } from "./kernel-commands.js";

describe("KERNEL_COMMANDS", () => {
  it("lists each command as its module declares it", async () => {
    for (const entry of KERNEL_COMMANDS) {
      const command = await entry.load();
      expect({ name: command.name, args: command.args, summary: command.summary }).toEqual({ name: entry.name, args: entry.args, summary: entry.summary });
    }
  });
});
