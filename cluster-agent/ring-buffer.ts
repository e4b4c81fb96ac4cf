/** A fixed-capacity buffer that keeps the newest items, oldest first when read. */
export class RingBuffer<T> {
  private readonly items: (T | undefined)[];
  private next = 0;
  private count = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.items = new Array<T | undefined>(capacity);
  }

  /** Number of items held. */
  get size(): number {
    return this.count;
  }

  /** Adds an item, dropping the oldest when full. */
  push(item: T): void {
    this.items[this.next] = item;
    this.next = (this.next + 1) % this.items.length;
    this.count = Math.min(this.count + 1, this.items.length);
  }

  /** The newest item, if any. */
  latest(): T | undefined {
    if (this.count === 0) return undefined;
    return this.items[(this.next - 1 + this.items.length) % this.items.length];
  }

  /** All items, oldest first. */
  toArray(): T[] {
    const out: T[] = [];
    const start = (this.next - this.count + this.items.length) % this.items.length;
    for (let i = 0; i < this.count; i += 1) {
      out.push(this.items[(start + i) % this.items.length] as T);
    }
    return out;
  }
}
