/**
 * A bounded cache of pending and settled loads by key, least recently used out first. A failed
 * load is not kept: the next caller tries again. Used for what is parsed once per blob id
 * (policies, CODEOWNERS).
 */
export class PromiseLru<T> {
  private readonly entries = new Map<string, Promise<T>>();
  constructor(private readonly capacity: number) {}

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** The cached load of `key`, or `load()` now; `hit` says which. */
  get(key: string, load: () => Promise<T>): { value: Promise<T>; hit: boolean } {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return { value: hit, hit: true };
    }
    const pending = load();
    this.entries.set(key, pending);
    pending.catch(() => this.entries.delete(key));
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
    return { value: pending, hit: false };
  }
}
