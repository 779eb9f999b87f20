import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { EventHub } from "./event-hub.js";
import { KNOWN_EVENTS } from "./known-events.js";

describe("the events a pattern can match", () => {
  it("are every event of the SDK's AlephEvents (so a new one is not silently left out of \"*\")", () => {
    const source = readFileSync(new URL("../../../../../packages/plugin-sdk/src/events.ts", import.meta.url), "utf8");
    const body = source.slice(source.indexOf("export interface AlephEvents"));
    const declared = [...body.slice(0, body.indexOf("\n}\n")).matchAll(/^\s+"([a-z_.]+)":/gm)].map((m) => m[1]);
    expect(declared.length).toBeGreaterThan(30);
    expect(KNOWN_EVENTS).toEqual(expect.arrayContaining(declared));
  });

  it("expand prefixes and * to the known names; other names stay as given", () => {
    expect(EventHub.namesOf(["plugin.*"]).sort()).toEqual(["plugin.error", "plugin.failed", "plugin.loaded", "plugin.shadow_failed", "plugin.unloaded"]);
    expect(EventHub.namesOf(undefined)).toEqual([...KNOWN_EVENTS]);
    expect(EventHub.namesOf(["*"])).toEqual([...KNOWN_EVENTS]);
    expect(EventHub.namesOf(["my.plugin.event", "kernel.ready"])).toEqual(["my.plugin.event", "kernel.ready"]);
    expect(EventHub.namesOf(["nothing.*"])).toEqual([]);
  });
});
