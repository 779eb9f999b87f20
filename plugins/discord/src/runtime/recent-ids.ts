/**
 * The last `capacity` ids seen, oldest forgotten first: a message the gateway hands over twice
 * while the channel runs is delivered once. (Across restarts the registry's own record of
 * answered messages does the same.)
 */
export class RecentIds {
  readonly #ids = new Set<string>();

  constructor(private readonly capacity = 2048) {}

  /** True the first time `id` is seen (and remembers it); false after. */
  add(id: string): boolean {
    if (this.#ids.has(id)) return false;
    this.#ids.add(id);
    if (this.#ids.size > this.capacity) this.#ids.delete(this.#ids.values().next().value!);
    return true;
  }
}
