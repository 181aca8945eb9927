// Pinned objects opened on first use, closed together. An ADD uses two of the four programs and the
// maps it writes; opening all twelve pins (BPF_OBJ_GET, then the checks of openPinned) for the attach
// and again for the publish was a measurable share of the attach step.
// May import: nothing (a helper of ./load).
export class LazyPins<K, V extends { close(): void }> implements Iterable<[K, V]> {
  private readonly opened = new Map<K, V>();

  constructor(
    private readonly keys: readonly K[],
    private readonly open: (key: K) => V,
  ) {}

  /** The object behind `key`, opened now if it is not yet; undefined for a key that is not one of ours. */
  get(key: K): V | undefined {
    if (!this.keys.includes(key)) return undefined;
    let v = this.opened.get(key);
    if (v === undefined) {
      v = this.open(key);
      this.opened.set(key, v);
    }
    return v;
  }

  /** Every key in order, opening what is not open yet. */
  *[Symbol.iterator](): Iterator<[K, V]> {
    for (const k of this.keys) yield [k, this.get(k)!];
  }

  /** Opens every one now (an error names the first that fails), for callers that check them all. */
  openAll(): this {
    for (const k of this.keys) this.get(k);
    return this;
  }

  close(): void {
    for (const v of this.opened.values()) v.close();
    this.opened.clear();
  }
}
