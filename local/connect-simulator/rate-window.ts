/** Counts occurrences in a sliding time window and remembers the busiest window seen. */
export class RateWindow {
  readonly windowMs: number;
  #times: number[] = [];
  #peak = 0;

  constructor(windowMs: number) {
    this.windowMs = windowMs;
  }

  /** Records one occurrence at `nowMs` (timestamps must not decrease). */
  record(nowMs: number): void {
    this.#prune(nowMs);
    this.#times.push(nowMs);
    this.#peak = Math.max(this.#peak, this.#times.length);
  }

  /** Occurrences within the window ending at `nowMs`. */
  current(nowMs: number): number {
    this.#prune(nowMs);
    return this.#times.length;
  }

  /** Most occurrences ever seen within one window. */
  get peak(): number {
    return this.#peak;
  }

  #prune(nowMs: number): void {
    const oldest = nowMs - this.windowMs;
    let drop = 0;
    while (drop < this.#times.length && (this.#times[drop] ?? nowMs) <= oldest) drop += 1;
    if (drop > 0) this.#times.splice(0, drop);
  }
}
