export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** ALEPH_LOG parsed: a default level and per-module overrides. */
export interface LogLevelSpec {
  defaultLevel: LogLevel;
  modules: Map<string, LogLevel>;
}

function isLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

/**
 * Parses ALEPH_LOG: `info`, `kernel=debug,memory=info`, or both (`warn,kernel=debug`).
 * Throws with the offending part so a typo is reported, not silently ignored.
 */
export function parseLogLevels(spec: string | undefined, fallback: LogLevel = "info"): LogLevelSpec {
  const result: LogLevelSpec = { defaultLevel: fallback, modules: new Map() };
  if (!spec || spec.trim() === "") return result;
  for (const raw of spec.split(",")) {
    const part = raw.trim();
    if (part === "") continue;
    const eq = part.indexOf("=");
    if (eq < 0) {
      const level = part.toLowerCase();
      if (!isLevel(level)) throw new Error(`ALEPH_LOG: "${part}" is not a level (use one of ${LOG_LEVELS.join(", ")})`);
      result.defaultLevel = level;
      continue;
    }
    const module = part.slice(0, eq).trim();
    const level = part.slice(eq + 1).trim().toLowerCase();
    if (!/^[a-z0-9][a-z0-9.:_-]*$/i.test(module)) throw new Error(`ALEPH_LOG: "${module}" is not a module name (in "${part}")`);
    if (!isLevel(level)) throw new Error(`ALEPH_LOG: "${level}" is not a level (in "${part}"; use one of ${LOG_LEVELS.join(", ")})`);
    result.modules.set(module, level);
  }
  return result;
}

/** The level of a module: its own, else its nearest dotted ancestor's (kernel.host → kernel), else the default. */
export function levelFor(spec: LogLevelSpec, module: string): LogLevel {
  let name = module;
  for (;;) {
    const level = spec.modules.get(name);
    if (level) return level;
    const dot = name.lastIndexOf(".");
    if (dot < 0) return spec.defaultLevel;
    name = name.slice(0, dot);
  }
}
