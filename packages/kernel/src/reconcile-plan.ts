import type { AlephError, UnloadReason } from "@aleph/plugin-sdk";
import type { Assessment, DisabledBy } from "./assessment.js";
import type { PluginCandidate } from "./discovery.js";
import { activeInstance, type PluginRecord } from "./plugin-record.js";

/** Failures that clear by themselves when something else changes, so they are retried on every pass. */
// A quarantine is retried on every pass: the assessment decides whether it still holds.
const RETRYABLE = new Set(["ALEPH_E_DEPENDENCY", "ALEPH_E_CYCLE", "ALEPH_E_CONFIG", "ALEPH_E_QUARANTINED"]);

export interface PlanRequest {
  assessment: Assessment;
  /** The host's records as they are; the planner reads them and changes nothing. */
  records: ReadonlyMap<string, PluginRecord>;
  /** Plugin directories that changed on disk. */
  changed: ReadonlySet<string>;
  /** Treat every plugin as changed (start). */
  all: boolean;
  /** Running plugins to restart on the code they run (their config section changed). */
  restartSameCode: ReadonlySet<string>;
  /** A kernel started for one command loads only these. */
  inScope?: ReadonlySet<string>;
}

/** What one reconcile pass does, decided before anything is done. */
export interface ReconcilePlan {
  /** Winners whose directory is another than their record's: code imported from the old one never runs. */
  moved: Set<string>;
  /** Winners whose files changed (or everything, on start). */
  touched: Set<string>;
  disable: Map<string, DisabledBy>;
  outOfScope: Set<string>;
  /** Failed before setup (manifest, api, entry). A running one keeps running unless it is also stopped. */
  invalid: Map<string, AlephError>;
  stop: Map<string, UnloadReason>;
  /** Running plugins to restart on freshly imported code (if the import succeeds). */
  newCode: Set<string>;
  /** Plugins not running to try loading. */
  load: Set<string>;
}

/**
 * Decides a reconcile pass from the assessment and the records: what stops and why, what
 * (re)loads, what fails before any code runs. Pure: the executor (PluginHost) does it.
 */
export function planReconcile(req: PlanRequest): ReconcilePlan {
  const { found, verdicts, switchedOff } = req.assessment;
  const plan: ReconcilePlan = { moved: new Set(), touched: new Set(), disable: new Map(), outOfScope: new Set(), invalid: new Map(), stop: new Map(), newCode: new Set(), load: new Set() };
  const switchedOffIds = new Set(switchedOff.map((c) => c.id));
  for (const [id, rec] of req.records) {
    if (!found.winners.has(id) && activeInstance(rec)) plan.stop.set(id, switchedOffIds.has(id) ? "disabled" : "removed");
  }
  for (const [id, candidate] of found.winners) {
    const rec = req.records.get(id);
    const running = rec !== undefined && activeInstance(rec) !== undefined;
    const moved = rec !== undefined && rec.candidate.realDir !== candidate.realDir;
    const touched = req.all || moved || changedDir(req.changed, candidate);
    if (moved) plan.moved.add(id);
    if (touched) plan.touched.add(id);
    const verdict = verdicts.get(id)!;
    if (verdict.status === "disabled") {
      if (running) plan.stop.set(id, "disabled");
      plan.disable.set(id, verdict.by);
      continue;
    }
    if (req.inScope && !req.inScope.has(id)) {
      plan.outOfScope.add(id); // would load under `aleph start`; this kernel does not need it
      continue;
    }
    if (candidate.error) {
      plan.invalid.set(id, candidate.error);
      // A broken edit on disk never takes down the running generation, unless its directory changed.
      if (running && moved) plan.stop.set(id, "reload");
      continue;
    }
    // Cycles and missing dependencies are left to the load pass: a provider's setup may still fail.
    if (running) {
      if (touched) plan.newCode.add(id);
      else if (req.restartSameCode.has(id)) plan.stop.set(id, "reload");
    } else if (touched || !rec || retry(rec)) plan.load.add(id);
  }
  return plan;
}

function changedDir(changed: ReadonlySet<string>, candidate: PluginCandidate): boolean {
  return changed.has(candidate.dir) || changed.has(candidate.realDir);
}

function retry(rec: PluginRecord): boolean {
  const s = rec.state;
  return s.status === "inactive" || s.status === "disabled" || (s.status === "failed" && RETRYABLE.has(s.error.code));
}

/**
 * The stop set grown by every running plugin bound to a stopping provider (they stop first and
 * come back in the load pass): `reload` when each service it requires will have a provider
 * again, else `dependency`.
 */
export function withStoppingDependents(records: ReadonlyMap<string, PluginRecord>, stop: Map<string, UnloadReason>, restarting: ReadonlySet<string>): Map<string, UnloadReason> {
  const out = new Map(stop);
  let grew = true;
  while (grew) {
    grew = false;
    for (const rec of records.values()) {
      const instance = activeInstance(rec);
      if (!instance || out.has(rec.id)) continue;
      if (![...instance.bindings.values()].some((p) => p && out.has(p.pluginId))) continue;
      out.set(rec.id, "reload"); // stopping from here on, for the test below and the next rounds
      out.set(rec.id, willComeBack(records, rec, out, restarting) ? "reload" : "dependency");
      grew = true;
    }
  }
  return out;
}

function willComeBack(records: ReadonlyMap<string, PluginRecord>, rec: PluginRecord, stopping: ReadonlyMap<string, UnloadReason>, restarting: ReadonlySet<string>): boolean {
  return rec.candidate.manifest!.services.requires.every((service) =>
    [...records.values()].some(
      (p) => p.candidate.manifest?.services.provides.includes(service) && ((activeInstance(p) && !stopping.has(p.id)) || restarting.has(p.id)),
    ),
  );
}
