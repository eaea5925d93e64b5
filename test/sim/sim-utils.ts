/** The mean of some numbers. */
export const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

/** A ratio as the docs' tables show it: `97.7 %`. */
export const pct = (ratio: number) => `${(ratio * 100).toFixed(1)} %`;

/** mulberry32: a small seeded generator, so a run is reproducible from its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Timed events in time order (a binary min-heap; equal times leave in insertion order). */
export class EventQueue<T> {
  private readonly times: number[] = [];
  private readonly order: number[] = [];
  private readonly items: T[] = [];
  private counter = 0;

  push(atS: number, item: T): void {
    this.times.push(atS);
    this.order.push(this.counter++);
    this.items.push(item);
    let i = this.items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** The earliest event due at or before `nowS`, removed; undefined when none is due. */
  popUntil(nowS: number): T | undefined {
    if (this.items.length === 0 || this.times[0] > nowS) return undefined;
    const top = this.items[0];
    const last = this.items.length - 1;
    this.swap(0, last);
    this.times.pop();
    this.order.pop();
    this.items.pop();
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < this.items.length && this.before(left, smallest)) smallest = left;
      if (right < this.items.length && this.before(right, smallest)) smallest = right;
      if (smallest === i) break;
      this.swap(i, smallest);
      i = smallest;
    }
    return top;
  }

  private before(a: number, b: number): boolean {
    return this.times[a] < this.times[b] || (this.times[a] === this.times[b] && this.order[a] < this.order[b]);
  }

  private swap(a: number, b: number): void {
    [this.times[a], this.times[b]] = [this.times[b], this.times[a]];
    [this.order[a], this.order[b]] = [this.order[b], this.order[a]];
    [this.items[a], this.items[b]] = [this.items[b], this.items[a]];
  }
}

/**
 * Max-min fair shares of one link among flows that each go no faster than their own cap (the far
 * end's rate): a flow capped below an equal share keeps its cap, and what it leaves is split among the
 * others, as competing TCP (or SCTP) flows settle on a shared bottleneck.
 */
export function maxMinShares(caps: readonly number[], capacity: number): number[] {
  const order = caps.map((_, i) => i).sort((a, b) => caps[a] - caps[b]);
  const shares = new Array<number>(caps.length);
  let left = capacity;
  order.forEach((index, rank) => {
    shares[index] = Math.min(caps[index], left / (caps.length - rank));
    left -= shares[index];
  });
  return shares;
}
