/**
 * Imports `<name>.js` beside the calling module (`from` is its `import.meta.url`), by a computed
 * path: a bundler leaves such an import alone, so a plugin can keep code it needs only later (its
 * working code, built as an entry of its own) out of the file the kernel loads at start. Run from
 * TypeScript sources (tests), it imports `<name>.ts` instead.
 *
 * ```ts
 * const runtime = () => importSibling<typeof import("./runtime.js")>(import.meta.url, "runtime");
 * ```
 */
export function importSibling<T>(from: string, name: string): Promise<T> {
  const file = from.endsWith(".ts") ? `./${name}.ts` : `./${name}.js`;
  return import(new URL(file, from).href) as Promise<T>;
}
