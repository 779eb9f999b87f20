import { createKernel, type AlephPaths, type Kernel } from "@aleph/kernel";
import { bundledPlugins } from "./bundled.js";
import { pluginLoaders } from "./loaders.js";

/**
 * Runs `work` against a kernel started in this process, for commands that need live plugins
 * when no kernel is running (`aleph tools call`). It takes the root's lock like any kernel,
 * loads every plugin, watches nothing, and logs only warnings to stderr unless ALEPH_LOG says otherwise.
 */
export async function withOneShotKernel<T>(
  paths: AlephPaths,
  env: NodeJS.ProcessEnv,
  cwd: string,
  work: (kernel: Kernel) => Promise<T>,
  options: { logToFiles?: boolean } = {},
): Promise<T> {
  const kernel = createKernel({
    env: { ...env, ALEPH_LOG: env.ALEPH_LOG ?? "warn" },
    cwd,
    paths,
    bundled: bundledPlugins(),
    loaders: pluginLoaders(),
    watch: false,
    logToStderr: true,
    logToFiles: options.logToFiles ?? true,
  });
  await kernel.start();
  try {
    return await work(kernel);
  } finally {
    await kernel.stop();
  }
}
