/*
 * aleph_plugin.toml against the code: the plugin given in memory in the other tests has the same
 * manifest data, every declared command has its handler, the limits declared equal the code's, and
 * the built plugin passes the lifecycle conformance checks.
 */
import { describe, expect, it } from "vitest";
import { assertPluginConformance, readPluginManifest } from "@aleph/testing";
import commands from "../src/commands.js";
import { CRON_HISTORY_KEEP } from "../src/runtime/run-history.js";
import { agentPlugins, cronDir, cronManifest } from "./support.js";

const manifest = readPluginManifest(cronDir);

describe("the cron manifest", () => {
  it("declares what the in-memory copy of the tests declares, and is not a daemon (its schedule runs in the service kernel only)", () => {
    expect(manifest).toMatchObject({ id: cronManifest.plugin.id, version: cronManifest.plugin.version, configKey: cronManifest.plugin.config_key, daemon: false, commandsEntry: "dist/commands.js" });
    expect(manifest.services).toEqual({ requires: [], ...cronManifest.services });
  });

  it("has a handler for every declared command, and declares every handler", () => {
    expect(Object.keys(commands.commands).sort()).toEqual(manifest.commands.map((c) => c.name).sort());
  });

  it("declares the history limit the code keeps, and run-now with every plugin (the agent's tools)", () => {
    const runs = manifest.commands.find((c) => c.name === "cron runs")!;
    expect(runs.options.find((o) => o.name === "limit")).toMatchObject({ type: "integer", min: 1, max: CRON_HISTORY_KEEP, default: 20 });
    expect(runs.args).toEqual([{ name: "job", summary: "the job's id", required: true, variadic: false }]);
    expect(manifest.commands.find((c) => c.name === "cron run-now")).toMatchObject({ allPlugins: true });
  });
});

describe("the built plugin", () => {
  it("passes the conformance checks, with a job configured", { timeout: 30_000 }, async () => {
    await assertPluginConformance(cronDir, { plugins: agentPlugins(), config: { cron: { jobs: [{ id: "yearly", schedule: "0 0 1 1 *", tz: "UTC", message: "Happy new year." }] } } });
  });
});
