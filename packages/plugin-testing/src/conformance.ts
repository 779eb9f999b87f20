import { discoverPlugins } from "@aleph/kernel";
import { toolsRef } from "@aleph/plugin-sdk";
import { createTestKernel, type TestKernel, type TestPlugin } from "./test-kernel.js";

/** One check of the conformance run. */
export interface ConformanceCheck {
  name: string;
  ok: boolean;
  detail?: string;
}

export interface ConformanceResult {
  id: string;
  ok: boolean;
  checks: ConformanceCheck[];
}

export interface ConformanceOptions {
  /** Plugins it needs (providers of what it requires, the tools registry…). */
  plugins?: TestPlugin[];
  /** Its config section and any other config, as for createTestKernel. */
  config?: Record<string, unknown>;
}

/** What a plugin can leave behind: subscriptions, services, tools. */
function footprint(kernel: TestKernel): { listeners: number; services: string; tools: string } {
  const services = kernel.kernel.host
    .services()
    .map((s) => `${s.id}:${s.providers.map((p) => p.plugin).join("+")}`)
    .join(",");
  const tools = (kernel.service(toolsRef)?.list() ?? []).map((t) => `${t.name}@${t.plugin}`).join(",");
  return { listeners: kernel.listenerCount(), services, tools };
}

/**
 * Loads, reloads, unloads and reloads a plugin in a real kernel and checks the lifecycle
 * contract: it comes up active; a reload gives generation + 1 and leaves the same footprint
 * (event subscriptions, services, tools) as the first load — nothing leaks across reloads; an
 * unload removes everything it registered; it loads again afterwards; nothing fails on the way.
 */
export async function runPluginConformance(dir: string, options: ConformanceOptions = {}): Promise<ConformanceResult> {
  // Discovery reads the manifest only (no plugin code runs), as the host does before loading.
  const [candidate] = discoverPlugins([], [dir]).winners.values();
  if (!candidate) throw new Error(`${dir} holds no aleph_plugin.toml`);
  if (candidate.error) throw new Error(`${dir}: ${candidate.error.message}`);
  const id = candidate.id;
  const checks: ConformanceCheck[] = [];
  const check = (name: string, ok: boolean, detail?: string) => void checks.push({ name, ok, ...(ok || !detail ? {} : { detail }) });
  const baseConfig = options.config ?? {};
  const withDisabled = (disabled: string[]) => ({
    ...baseConfig,
    extensions: { ...((baseConfig.extensions as Record<string, unknown> | undefined) ?? {}), disabled },
  });
  const kernel = await createTestKernel({ plugins: [...(options.plugins ?? []), dir], config: withDisabled([id]) });
  try {
    const before = footprint(kernel);
    await kernel.writeConfig(withDisabled([]));
    const first = kernel.plugin(id);
    check("loads and is active", first?.status === "active" && first.generation === 1, JSON.stringify(first?.error ?? first?.status));
    const loaded = footprint(kernel);

    await kernel.reload(id);
    const second = kernel.plugin(id);
    check("a reload gives the next generation", second?.status === "active" && second.generation === 2, JSON.stringify(second?.error ?? second));
    check(
      "a reload unloads the previous generation first",
      kernel.eventsNamed("plugin.unloaded").some((p) => p.id === id && p.reason === "reload"),
    );
    const reloaded = footprint(kernel);
    check("nothing leaks across a reload (subscriptions, services, tools)", JSON.stringify(reloaded) === JSON.stringify(loaded), `after load ${JSON.stringify(loaded)}, after reload ${JSON.stringify(reloaded)}`);

    await kernel.writeConfig(withDisabled([id]));
    const after = footprint(kernel);
    check("unloading removes everything it registered", JSON.stringify(after) === JSON.stringify(before), `before load ${JSON.stringify(before)}, after unload ${JSON.stringify(after)}`);
    check("it reports the unload as disabled", kernel.eventsNamed("plugin.unloaded").some((p) => p.id === id && p.reason === "disabled"));

    await kernel.writeConfig(withDisabled([]));
    const third = kernel.plugin(id);
    check("it loads again after an unload", third?.status === "active" && third.generation === 3, JSON.stringify(third?.error ?? third));
    const failures = [...kernel.eventsNamed("plugin.failed"), ...kernel.eventsNamed("plugin.error")].filter((p) => p.id === id);
    check("nothing failed on the way", failures.length === 0, JSON.stringify(failures));
  } finally {
    await kernel.stop();
  }
  return { id, ok: checks.every((c) => c.ok), checks };
}

/** Runs the conformance checks and throws with every failed check when one fails. */
export async function assertPluginConformance(dir: string, options: ConformanceOptions = {}): Promise<ConformanceResult> {
  const result = await runPluginConformance(dir, options);
  if (!result.ok) {
    const failed = result.checks.filter((c) => !c.ok).map((c) => `  ✗ ${c.name}${c.detail ? `: ${c.detail}` : ""}`);
    throw new Error(`plugin "${result.id}" does not conform:\n${failed.join("\n")}`);
  }
  return result;
}
