import { AlephError } from "./errors.js";

/*
 * A native addon (better-sqlite3, and any other `.node` module a plugin loads) is compiled for one
 * Node ABI. Run under another Node, or half-installed, it fails to load with messages that look
 * like anything but that — and a caller that opens a file with it would otherwise blame the file
 * ("restore it from a backup"). This recognises those load failures so every caller can say what
 * happened and how to fix it, under one code.
 *
 * The messages, as Node 20–24 and the `bindings` loader word them:
 *   - "was compiled against a different Node.js version using NODE_MODULE_VERSION 115. This version
 *     of Node.js requires NODE_MODULE_VERSION 137." (code ERR_DLOPEN_FAILED): built for another ABI
 *   - "Module did not self-register: '<file>.node'." (ERR_DLOPEN_FAILED): a later load in a process
 *     where a first one failed (the library stays mapped but never registers again)
 *   - "<file>.node: invalid ELF header", "wrong ELF class", "file too short": not a build for this
 *     platform, or a damaged file
 *   - "Could not locate the bindings file. Tried: …": never built (install scripts skipped)
 */

/** Node.js majors by NODE_MODULE_VERSION, to say "built for Node 20" rather than "ABI 115". */
const NODE_MAJOR_BY_ABI: Readonly<Record<number, number>> = { 93: 16, 108: 18, 115: 20, 120: 21, 127: 22, 131: 23, 137: 24, 141: 25 };

const SIGNS = [/NODE_MODULE_VERSION/, /Module did not self-register/, /invalid ELF header/, /wrong ELF class/, /\.node: file too short/, /Could not locate the bindings file/];

function describeAbi(abi: number): string {
  const major = NODE_MAJOR_BY_ABI[abi];
  return major === undefined ? `NODE_MODULE_VERSION ${abi}` : `Node ${major} (NODE_MODULE_VERSION ${abi})`;
}

/** True when `error` is a failure to load a native (`.node`) module rather than anything it was asked to do. */
export function isNativeModuleLoadError(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (code === "ERR_DLOPEN_FAILED") return true;
  return typeof message === "string" && SIGNS.some((sign) => sign.test(message));
}

/**
 * The load failure of native module `moduleName` as an ALEPH_E_NATIVE_MODULE error saying what
 * happened and how to rebuild it for the running Node; undefined when `error` is something else.
 */
export function nativeModuleError(error: unknown, moduleName: string): AlephError | undefined {
  if (!isNativeModuleLoadError(error)) return undefined;
  const message = String((error as { message: unknown }).message);
  const running = `Node ${process.versions.node} (NODE_MODULE_VERSION ${process.versions.modules})`;
  // The bindings loader lists every path it tried: none of them is "the" file.
  const file = /Could not locate the bindings file/.test(message) ? undefined : /(\/[^'\s]+\.node)/.exec(message)?.[1];
  const abi = /using\s+NODE_MODULE_VERSION (\d+)/.exec(message);
  let what: string;
  if (abi) what = `it was built for ${describeAbi(Number(abi[1]))}, and this is ${running}`;
  else if (/Module did not self-register/.test(message)) what = `an earlier attempt to load it in this process failed (typically: it was built for another Node than ${running})`;
  else if (/Could not locate the bindings file/.test(message)) what = "it was never built (its install script did not run)";
  else what = `its binary is not one this ${process.platform}-${process.arch} ${running} can load (${message.split("\n")[0]})`;
  return new AlephError("ALEPH_E_NATIVE_MODULE", `cannot load the native module ${moduleName}: ${what}. This is not a problem with any data file`, {
    ...(file ? { file } : {}),
    fix: `rebuild it for this Node: \`pnpm rebuild ${moduleName}\` (or \`npm rebuild ${moduleName}\`) in the Aleph installation, then start Aleph again with the same Node`,
    cause: error,
  });
}
