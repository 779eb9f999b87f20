import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { PluginDefinition } from "./define-plugin.js";
import type { PluginInfo } from "./manifest.js";
import type { ServiceRef } from "./service-ref.js";
import { VAULT_KDF_TEST_COST_ENV } from "./vault.js";

/*
 * Deprecated entry point: the test kit moved to its own package, @aleph/testing (typed
 * against the kernel it runs). These functions forward to it through a dynamic import, so code
 * written against `@aleph/plugin-sdk/testing` keeps working once @aleph/testing is
 * installed, and the SDK stays free of a build-time dependency on the kit (which depends on the
 * kernel, which depends on the SDK). The types below are this entry point's own, as they were.
 * useLowVaultKdfCost stays here: the kernel's own tests use it and cannot depend on the kit.
 */

/** @deprecated Use @aleph/testing. */
export type TestPlugin = string | { manifest: Record<string, unknown>; definition: PluginDefinition<any> };

/** @deprecated Use @aleph/testing. */
export interface TestKernelOptions {
  plugins?: TestPlugin[];
  /** config.toml: TOML text, or an object written as TOML. */
  config?: string | Record<string, unknown>;
  /** State root to use (kept afterwards); by default a temp directory removed by stop(). */
  root?: string;
  /** Environment seen by the kernel (ALEPH_* overrides, ${VAR} references); default {}. */
  env?: Record<string, string>;
}

/** @deprecated Use @aleph/testing. */
export interface RecordedEvent {
  event: string;
  payload: any;
}

/** @deprecated Use @aleph/testing, whose TestKernel is typed against the kernel. */
export interface TestKernel {
  readonly root: string;
  readonly events: RecordedEvent[];
  service<T>(ref: ServiceRef<T> | string): T | undefined;
  emit(event: string, payload: unknown): Promise<void>;
  waitFor(event: string, predicate?: (payload: any) => boolean, timeoutMs?: number): Promise<any>;
  plugins(): PluginInfo[];
  plugin(id: string): PluginInfo | undefined;
  reload(id: string): Promise<void>;
  writeConfig(config: string | Record<string, unknown>): Promise<{ applied: boolean; sections: string[] }>;
  listenerCount(): number;
  readonly kernel: any;
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** @deprecated Use @aleph/testing. */
export interface ConformanceCheck {
  name: string;
  ok: boolean;
  detail?: string;
}

/** @deprecated Use @aleph/testing. */
export interface ConformanceResult {
  id: string;
  ok: boolean;
  checks: ConformanceCheck[];
}

/** @deprecated Use @aleph/testing. */
export interface ConformanceOptions {
  plugins?: TestPlugin[];
  config?: Record<string, unknown>;
}

/** @deprecated Use @aleph/testing. */
export interface KillTestOptions {
  cwd?: string;
  readyLine?: string;
  killAfterMs: number;
}

/** What this entry point forwards to (the kit's own, stricter types are not visible from here). */
interface TestKit {
  createTestKernel(options?: TestKernelOptions): Promise<TestKernel>;
  runPluginConformance(dir: string, options?: ConformanceOptions): Promise<ConformanceResult>;
  assertPluginConformance(dir: string, options?: ConformanceOptions): Promise<ConformanceResult>;
  runAndKill(script: string, args: string[], options: KillTestOptions): Promise<string[]>;
}

/**
 * Finds @aleph/testing: beside this SDK (npm installs them side by side), else in the
 * project under test (the working directory). A variable specifier keeps it out of the build.
 */
async function testKit(): Promise<TestKit> {
  const specifier = "@aleph/testing";
  try {
    return (await import(specifier)) as TestKit;
  } catch (besideError) {
    if ((besideError as NodeJS.ErrnoException).code !== "ERR_MODULE_NOT_FOUND") throw besideError;
    let fromProject: string;
    try {
      fromProject = createRequire(join(process.cwd(), "package.json")).resolve(specifier);
    } catch {
      throw new Error(
        `@aleph/plugin-sdk/testing moved to its own package: install it (npm install -D @aleph/testing) and import the kit from it instead (it was not found beside the SDK nor from ${process.cwd()})`,
      );
    }
    return (await import(pathToFileURL(fromProject).href)) as TestKit;
  }
}

/** @deprecated Use @aleph/testing. Starts a kernel with the given plugins on a temp root. */
export async function createTestKernel(options: TestKernelOptions = {}): Promise<TestKernel> {
  return (await testKit()).createTestKernel(options);
}

/** @deprecated Use @aleph/testing. Loads, reloads, unloads and reloads a plugin and checks the lifecycle contract. */
export async function runPluginConformance(dir: string, options: ConformanceOptions = {}): Promise<ConformanceResult> {
  return (await testKit()).runPluginConformance(dir, options);
}

/** @deprecated Use @aleph/testing. Runs the conformance checks and throws when one fails. */
export async function assertPluginConformance(dir: string, options: ConformanceOptions = {}): Promise<ConformanceResult> {
  return (await testKit()).assertPluginConformance(dir, options);
}

/** @deprecated Use @aleph/testing. For crash tests: runs a script, SIGKILLs it after its ready line. */
export async function runAndKill(script: string, args: string[], options: KillTestOptions): Promise<string[]> {
  return (await testKit()).runAndKill(script, args, options);
}

/**
 * Makes keys written from now on derive at the vault's lowest cost (a few ms instead of ~100 ms,
 * far more on a loaded machine; honoured only under a test runner) and returns the undo. Reads are
 * unaffected: every key file records its own cost.
 */
export function useLowVaultKdfCost(): () => void {
  const saved = process.env[VAULT_KDF_TEST_COST_ENV];
  process.env[VAULT_KDF_TEST_COST_ENV] = "1024";
  return () => {
    if (saved === undefined) delete process.env[VAULT_KDF_TEST_COST_ENV];
    else process.env[VAULT_KDF_TEST_COST_ENV] = saved;
  };
}
