/**
 * Which items are "held by an ongoing transaction", as the fault proxy models DynamoDB: a
 * transaction holds its items from the moment it is let through until its hold time after
 * DynamoDB Local answered (DynamoDB Local itself is done in a millisecond, real transactions take
 * longer, which is the window in which DynamoDB reports conflicts). Plain writes in flight are
 * tracked too, because a TransactGetItems conflicts with them (developer guide, "Transaction
 * conflict handling in DynamoDB").
 *
 * Pure bookkeeping over item ids and a caller-supplied clock, so it is tested without a network.
 */

interface Hold {
  owner: string;
  /** Epoch ms the hold ends; `Infinity` while the transaction is still in flight. */
  until: number;
}

export class ItemLocks {
  readonly #holds = new Map<string, Hold>();
  readonly #writes = new Map<string, number>();

  /** Indexes of the items another owner holds at `now` (ascending). */
  heldByOthers(owner: string, items: readonly string[], now: number): number[] {
    const conflicts: number[] = [];
    items.forEach((item, index) => {
      const hold = this.#holds.get(item);
      if (hold !== undefined && hold.until > now && hold.owner !== owner) conflicts.push(index);
    });
    return conflicts;
  }

  /** Indexes of the items that a transaction holds or a plain write is writing at `now` (for TransactGetItems). */
  busy(items: readonly string[], now: number): number[] {
    const conflicts: number[] = [];
    items.forEach((item, index) => {
      const hold = this.#holds.get(item);
      if ((hold !== undefined && hold.until > now) || (this.#writes.get(item) ?? 0) > 0) conflicts.push(index);
    });
    return conflicts;
  }

  /**
   * Holds every item for `owner` until {@link settle} or {@link release}, unless another owner holds
   * one of them: then nothing is taken and the conflicting indexes are returned.
   */
  acquire(
    owner: string,
    items: readonly string[],
    now: number,
  ): { acquired: true } | { acquired: false; conflicts: number[] } {
    const conflicts = this.heldByOthers(owner, items, now);
    if (conflicts.length > 0) return { acquired: false, conflicts };
    for (const item of items) this.#holds.set(item, { owner, until: Number.POSITIVE_INFINITY });
    return { acquired: true };
  }

  /** The owner's transaction committed: its items stay held until `until`. */
  settle(owner: string, items: readonly string[], until: number): void {
    for (const item of items) {
      const hold = this.#holds.get(item);
      if (hold?.owner === owner) hold.until = until;
    }
  }

  /** Frees the owner's items now (its transaction was refused or failed). Another owner's holds stay. */
  release(owner: string, items: readonly string[]): void {
    for (const item of items) {
      if (this.#holds.get(item)?.owner === owner) this.#holds.delete(item);
    }
  }

  /** A plain write of these items is on its way to DynamoDB Local. */
  beginWrite(items: readonly string[]): void {
    for (const item of items) this.#writes.set(item, (this.#writes.get(item) ?? 0) + 1);
  }

  /** The plain write has been answered. */
  endWrite(items: readonly string[]): void {
    for (const item of items) {
      const count = (this.#writes.get(item) ?? 0) - 1;
      if (count > 0) this.#writes.set(item, count);
      else this.#writes.delete(item);
    }
  }

  /** Forgets holds that ended before `now`, so the table stays as small as the set of held items. */
  sweep(now: number): void {
    for (const [item, hold] of this.#holds) {
      if (hold.until <= now) this.#holds.delete(item);
    }
  }

  /** Items held at `now` (after a sweep, the table's size). */
  heldCount(now: number): number {
    let count = 0;
    for (const hold of this.#holds.values()) if (hold.until > now) count += 1;
    return count;
  }

  clear(): void {
    this.#holds.clear();
    this.#writes.clear();
  }
}
