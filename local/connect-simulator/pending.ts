/** Counts work in flight and lets callers wait until none is left. */
export class PendingTracker {
  #count = 0;
  #waiters: Array<() => void> = [];

  get count(): number {
    return this.#count;
  }

  /** Runs `work`, counting it as pending until it settles; its rejection is returned, not swallowed. */
  track<Result>(work: Promise<Result>): Promise<Result> {
    this.#count += 1;
    return work.finally(() => {
      this.#count -= 1;
      if (this.#count === 0) {
        const waiters = this.#waiters;
        this.#waiters = [];
        for (const wake of waiters) wake();
      }
    });
  }

  /** Resolves when nothing is pending (immediately if nothing is). */
  idle(): Promise<void> {
    if (this.#count === 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
}
