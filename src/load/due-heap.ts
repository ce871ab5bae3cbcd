/**
 * A binary min-heap of items ordered by `dueUs`: the pacer pops every item whose time has come.
 * One heap per worker instead of one timer per connection (memory per connection stays flat).
 */

/** An item the pacer can hold; `heapIndex` is -1 when not in the heap. */
export interface DueItem {
  dueUs: number;
  heapIndex: number;
}

export class DueHeap<T extends DueItem> {
  private readonly items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  /** The earliest item, without removing it. */
  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    item.heapIndex = this.items.length;
    this.items.push(item);
    this.up(item.heapIndex);
  }

  /** Removes and returns the earliest item. */
  pop(): T | undefined {
    const top = this.items[0];
    if (top === undefined) return undefined;
    this.removeAt(0);
    return top;
  }

  /** Removes an item wherever it is (a connection that closed). */
  remove(item: T): void {
    if (item.heapIndex >= 0 && this.items[item.heapIndex] === item) this.removeAt(item.heapIndex);
  }

  clear(): void {
    for (const it of this.items) it.heapIndex = -1;
    this.items.length = 0;
  }

  private removeAt(i: number): void {
    const items = this.items;
    const removed = items[i]!;
    const last = items.pop()!;
    removed.heapIndex = -1;
    if (i < items.length) {
      items[i] = last;
      last.heapIndex = i;
      this.down(i);
      this.up(last.heapIndex);
    }
  }

  private up(i: number): void {
    const items = this.items;
    const item = items[i]!;
    while (i > 0) {
      const parentIndex = (i - 1) >> 1;
      const parent = items[parentIndex]!;
      if (parent.dueUs <= item.dueUs) break;
      items[i] = parent;
      parent.heapIndex = i;
      i = parentIndex;
    }
    items[i] = item;
    item.heapIndex = i;
  }

  private down(i: number): void {
    const items = this.items;
    const n = items.length;
    const item = items[i]!;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      const right = child + 1;
      if (right < n && items[right]!.dueUs < items[child]!.dueUs) child = right;
      const c = items[child]!;
      if (c.dueUs >= item.dueUs) break;
      items[i] = c;
      c.heapIndex = i;
      i = child;
    }
    items[i] = item;
    item.heapIndex = i;
  }
}
