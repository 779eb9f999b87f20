import { AlephError, errorMessage, isAlephError, type AlephErrorCode } from "@aleph/plugin-sdk";

/*
 * Every failure the host records against a plugin, in one catalogue: each says what went wrong,
 * the file it concerns and how to fix it. (Manifest and api failures are built by manifest.ts,
 * which owns those rules.) Messages are part of what users read and tests match: change them here.
 */

/** Keeps an AlephError a plugin threw; wraps anything else under `code`. */
export function asFailure(error: unknown, code: AlephErrorCode, file: string, fix: string): AlephError {
  if (isAlephError(error)) return error as AlephError;
  return new AlephError(code, errorMessage(error), { file, fix, cause: error });
}

export function unreadableManifest(file: string, error: unknown): AlephError {
  return new AlephError("ALEPH_E_MANIFEST", `cannot read manifest: ${errorMessage(error)}`, { file, fix: "check the file's permissions" });
}

export function duplicateId(id: string, file: string, otherDir: string): AlephError {
  return new AlephError("ALEPH_E_DUPLICATE", `plugin id "${id}" is also used by ${otherDir} in the same search path`, {
    file,
    fix: "give one of the two plugins another id, or remove one",
  });
}

export function entryMissing(id: string, entry: string, file: string, manifestFile: string): AlephError {
  return new AlephError("ALEPH_E_ENTRY", `entry "${entry}" of plugin "${id}" does not exist`, {
    file,
    fix: `build the plugin (e.g. npm run build) or set [plugin] entry in ${manifestFile}`,
  });
}

export function entryOutside(entry: string, file: string, real: string): AlephError {
  return new AlephError("ALEPH_E_ENTRY", `entry "${entry}" resolves outside the plugin directory (${real})`, {
    file,
    fix: "keep the entry file inside the plugin directory; do not link it from elsewhere",
  });
}

/**
 * A plugin of a kind the kernel was given no loader for: the kernel loads no plugin code itself
 * (createKernel's `loaders`: `node` from @aleph/node-host, `wasm` from @aleph/wasm-host).
 */
export function noLoader(id: string, kind: string, manifestFile: string): AlephError {
  const from = kind === "node" ? "@aleph/node-host" : kind === "wasm" ? "@aleph/wasm-host" : undefined;
  return new AlephError("ALEPH_E_NO_LOADER", `plugin "${id}" is a ${kind} plugin, and this kernel has no loader for ${kind} plugins`, {
    file: manifestFile,
    fix: from
      ? `start the kernel with createKernel({ loaders: { ${kind}: … } }) and the loader of ${from} (the aleph CLI and @aleph/testing pass it)`
      : `set [plugin] kind to "node" or "wasm"`,
  });
}

export function cycle(members: string[], manifestFile: string): AlephError {
  return new AlephError("ALEPH_E_CYCLE", `plugins ${members.map((c) => `"${c}"`).join(" → ")} → "${members[0]}" require each other's services in a cycle`, {
    file: manifestFile,
    fix: "break the cycle: make one of the requires optional, or move the shared service into its own plugin",
  });
}

/** Where a provider of a missing service stands, for the dependency failure's reason. */
export type ProviderState = { id: string } & ({ state: "disabled" } | { state: "failed"; error: { code: string; message: string } } | { state: "not active" });

/** A required service has no provider; the message says why for each plugin that declares it. */
export function missingDependency(id: string, service: string, providers: ProviderState[], manifestFile: string): AlephError {
  const reason =
    providers.length === 0
      ? `no plugin provides service "${service}"`
      : providers
          .map((p) =>
            p.state === "disabled"
              ? `provider "${p.id}" is disabled`
              : p.state === "failed"
                ? `provider "${p.id}" failed (${p.error.code}: ${p.error.message})`
                : `provider "${p.id}" is not active`,
          )
          .join("; ");
  return new AlephError("ALEPH_E_DEPENDENCY", `plugin "${id}" requires service "${service}": ${reason}`, {
    file: manifestFile,
    fix: `install, enable or fix a plugin that provides "${service}"; "${id}" loads by itself once one is active`,
  });
}

/** A plugin left waiting at the end of a pass, with no other failure recorded (a safety net: each path records its own). */
export function notLoaded(id: string, manifestFile: string): AlephError {
  return new AlephError("ALEPH_E_NOT_LOADED", `plugin "${id}" was not loaded`, {
    file: manifestFile,
    fix: "see the kernel log (logs/gateway.log) for the reason, then fix it and save a plugin file to retry",
  });
}

export function configInvalid(id: string, key: string, issues: { path?: string; message: string }[], file: string, line: number | undefined): AlephError {
  return new AlephError(
    "ALEPH_E_CONFIG",
    `config section [${key}] is invalid for plugin "${id}": ${issues.map((i) => `${i.path ? `${i.path}: ` : ""}${i.message}`).join("; ")}`,
    { file, line, fix: `correct [${key}] in config.toml` },
  );
}

export function setupTimeout(id: string, ms: number, manifestFile: string): AlephError {
  return new AlephError("ALEPH_E_TIMEOUT", `setup of plugin "${id}" did not finish within ${ms} ms`, {
    file: manifestFile,
    fix: "make setup return promptly (start long work in the background, tied to ctx.signal), or raise [extensions] setup_timeout_ms",
  });
}

/** What a setup threw, as ALEPH_E_SETUP (an AlephError of another code is named inside the message). */
export function setupThrew(id: string, error: unknown, manifestFile: string): AlephError {
  const failure = asFailure(error, "ALEPH_E_SETUP", manifestFile, "fix the error thrown by the plugin's setup");
  return failure.code === "ALEPH_E_SETUP"
    ? failure
    : new AlephError("ALEPH_E_SETUP", `setup of plugin "${id}" threw: ${failure.code}: ${failure.message}`, { file: manifestFile, fix: failure.fix ?? "fix the plugin's setup" });
}

export function servicesNotProvided(id: string, missing: string[], manifestFile: string): AlephError {
  return new AlephError("ALEPH_E_SETUP", `plugin "${id}" declares it provides ${missing.map((s) => `"${s}"`).join(", ")} but its setup did not provide it`, {
    file: manifestFile,
    fix: `call ctx.services.provide(...) for ${missing.join(", ")} in setup, or remove it from [services] provides`,
  });
}

/** A plugin the supervisor took out of service after it crashed or stalled the kernel (quarantine.ts). */
export function quarantined(id: string, entry: { reason: string; at: string; crashes: number }, manifestFile: string): AlephError {
  const crashes = entry.crashes === 1 ? "1 crash" : `${entry.crashes} crashes`;
  return new AlephError("ALEPH_E_QUARANTINED", `plugin "${id}" is quarantined since ${entry.at} (${crashes} blamed on it): ${entry.reason}`, {
    file: manifestFile,
    fix: `fix the plugin (a change to its manifest or entry lifts the quarantine), or run \`aleph plugins enable ${id}\` to try it again`,
  });
}

/** An unhandled rejection or uncaught exception blamed on a running plugin: it is failed, the kernel stays up. */
export function unhandled(id: string, kind: "rejection" | "exception", error: unknown, manifestFile: string): AlephError {
  const what = kind === "rejection" ? "an unhandled promise rejection" : "an uncaught exception";
  return new AlephError("ALEPH_E_UNHANDLED", `plugin "${id}" raised ${what}: ${errorMessage(error)}`, {
    file: manifestFile,
    fix: "catch the error in the plugin (await or .catch() every promise; try/catch in timers); the plugin loads again when its files change",
    cause: error,
  });
}
