import { join } from "node:path";
import type { AlephError, PluginInfo } from "@aleph/plugin-sdk";
import { planLoadOrder, type LoadPlan } from "./dependency-graph.js";
import { chooseOwners, type DiscoveryOptions, type DiscoveryResult, type PluginCandidate } from "./discovery.js";
import { cycle, missingDependency, quarantined, type ProviderState } from "./host-failures.js";
import { quarantineOf, type QuarantineState } from "./quarantine.js";
import { describe, losingCopies, sortInfos } from "./plugin-info.js";

/** The config keys the assessment reads: `[extensions] enabled` and `disabled`. */
export interface ExtensionSettings {
  enabled: boolean;
  disabled: readonly string[];
}

/** Which config key turns a plugin off. */
export type DisabledBy = "extensions.disabled" | "extensions.enabled";

/** Whether the plugin that owns an id would load, and if not, why. */
export type Verdict = { status: "loads" } | { status: "disabled"; by: DisabledBy } | { status: "failed"; error: AlephError };

export interface Assessment {
  /** Which copy owns each id, among the copies the config lets load. */
  found: DiscoveryResult;
  /** The verdict on each id's owner. */
  verdicts: Map<string, Verdict>;
  /** Copies on the user, system and project paths while `[extensions] enabled = false`. */
  switchedOff: PluginCandidate[];
  /** Load order of the ids neither disabled nor failed before setup (cycles included, named). */
  plan: LoadPlan;
}

/**
 * What would load and why not, decided from manifests, files and config alone — no plugin code
 * runs. The whole rule, in order: `[extensions] enabled = false` leaves only the bundled copies;
 * among the copies of an id the strongest that can run owns it (shadowing, api range, manifest,
 * entry file and its symlink check: see chooseOwners); an id in `[extensions] disabled` is
 * disabled; an owner that cannot run fails with that reason; members of a `requires` cycle fail;
 * walking the load order, a plugin fails when a service it requires has no provider that loads.
 * The host plans its loads with it; `plugins list` without a kernel, `config check` and `doctor`
 * print it — so they cannot disagree.
 */
export function assessPlugins(found: PluginCandidate[], config: ExtensionSettings, options: AssessOptions = {}): Assessment {
  const switchedOff = config.enabled ? [] : onePerDirectory(found.filter((c) => c.source !== "bundled"));
  const owners = chooseOwners(config.enabled ? found : found.filter((c) => c.source === "bundled"), options);
  if (options.quarantine) quarantineOwners(owners, options.quarantine);
  const disabled = new Set(config.disabled);
  const verdicts = new Map<string, Verdict>();
  for (const [id, candidate] of owners.winners) {
    if (disabled.has(id)) verdicts.set(id, { status: "disabled", by: "extensions.disabled" });
    else if (candidate.error) verdicts.set(id, { status: "failed", error: candidate.error });
  }
  const valid = [...owners.winners.values()].filter((c) => !verdicts.has(c.id));
  const plan = planLoadOrder(valid.map((c) => ({ id: c.id, ...c.manifest!.services })));
  for (const [id, members] of plan.cycles) verdicts.set(id, { status: "failed", error: cycle(members, owners.winners.get(id)!.manifestFile) });
  // In load order every provider is decided before its dependents, so a failure propagates.
  for (const id of plan.order) {
    const candidate = owners.winners.get(id)!;
    const loads = (p: string) => verdicts.get(p)?.status === "loads";
    const missing = candidate.manifest!.services.requires.find((service) => !providersOf(owners, service).some(loads));
    verdicts.set(
      id,
      missing === undefined
        ? { status: "loads" }
        : { status: "failed", error: missingDependency(id, missing, providerStates(owners, verdicts, missing), candidate.manifestFile) },
    );
  }
  return { found: owners, verdicts, switchedOff, plan };
}

export interface AssessOptions extends DiscoveryOptions {
  /** run/quarantine.json: a quarantined owner fails before setup with ALEPH_E_QUARANTINED. */
  quarantine?: QuarantineState;
}

/** The owner of a quarantined id fails before setup, as a broken manifest would (its dependents then fail naming it). */
function quarantineOwners(owners: DiscoveryResult, state: QuarantineState): void {
  for (const [id, candidate] of owners.winners) {
    if (candidate.error || !candidate.manifest) continue;
    const entry = quarantineOf(state, id, { manifestFile: candidate.manifestFile, entryFile: join(candidate.dir, candidate.manifest.entry) });
    if (entry) owners.winners.set(id, { ...candidate, error: quarantined(id, entry, candidate.manifestFile) });
  }
}

/** A directory reached through two search paths is one plugin. */
function onePerDirectory(candidates: PluginCandidate[]): PluginCandidate[] {
  const seen = new Set<string>();
  return candidates.filter((c) => !seen.has(c.realDir) && seen.add(c.realDir));
}

function providersOf(found: DiscoveryResult, service: string): string[] {
  return [...found.winners.values()].filter((c) => c.manifest?.services.provides.includes(service)).map((c) => c.id);
}

function providerStates(found: DiscoveryResult, verdicts: Map<string, Verdict>, service: string): ProviderState[] {
  return providersOf(found, service).map((id): ProviderState => {
    const verdict = verdicts.get(id);
    if (verdict?.status === "disabled") return { id, state: "disabled" };
    if (verdict?.status === "failed") return { id, state: "failed", error: verdict.error };
    return { id, state: "not active" };
  });
}

/**
 * The assessment as `plugins list` rows: `active` means "would load" (nothing runs), every
 * other copy with its reason.
 */
export function assessmentRows(assessment: Assessment): PluginInfo[] {
  const out: PluginInfo[] = [];
  for (const [id, candidate] of assessment.found.winners) {
    const verdict = assessment.verdicts.get(id)!;
    if (verdict.status === "loads") out.push(describe(candidate, "active"));
    else if (verdict.status === "failed") out.push(describe(candidate, "failed", verdict.error));
    else out.push({ ...describe(candidate, "disabled"), disabledBy: verdict.by });
  }
  out.push(...losingCopies(assessment.found), ...switchedOffRows(assessment));
  return sortInfos(out);
}

/** The rows of the copies `[extensions] enabled = false` switches off (the host lists them too). */
export function switchedOffRows(assessment: Assessment): PluginInfo[] {
  return assessment.switchedOff.map((candidate) => ({ ...describe(candidate, "disabled"), disabledBy: "extensions.enabled" as const }));
}
