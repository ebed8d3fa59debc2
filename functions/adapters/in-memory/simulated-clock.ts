/**
 * A clock for discrete-event simulation: `sleep` resolves when the simulation reaches the wake-up time, and
 * `run` advances time from one wake-up to the next, letting every promise chain that a wake-up starts settle
 * before it moves on. Hours of dialing run in seconds, deterministically.
 */
interface Sleeper {
  at: number;
  order: number;
  wake: () => void;
}

export class SimulatedClock {
  private nowMs: number;
  private readonly sleepers: Sleeper[] = [];
  private order = 0;

  constructor(start: Date) {
    this.nowMs = start.getTime();
  }

  now(): Date {
    return new Date(this.nowMs);
  }

  sleep(milliseconds: number): Promise<void> {
    return new Promise((resolve) => this.schedule(this.nowMs + Math.max(0, milliseconds), resolve));
  }

  /** Calls `action` at `at` (simulated time); used by simulated callees and Connect to end calls. */
  schedule(at: number, action: () => void): void {
    const sleeper = { at: Math.max(at, this.nowMs), order: this.order++, wake: action };
    // Keep the queue sorted by time, then by order of scheduling (a binary search keeps big runs fast).
    let low = 0;
    let high = this.sleepers.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const other = this.sleepers[middle];
      if (other !== undefined && (other.at < sleeper.at || (other.at === sleeper.at && other.order < sleeper.order))) {
        low = middle + 1;
      } else {
        high = middle;
      }
    }
    this.sleepers.splice(low, 0, sleeper);
  }

  /** Moves time forward to `at` (waking whatever is due on the way). */
  async advanceTo(at: Date): Promise<void> {
    await this.run({ until: at });
    this.nowMs = Math.max(this.nowMs, at.getTime());
  }

  /** Whether anything is waiting for time to pass. */
  get pending(): number {
    return this.sleepers.length;
  }

  /**
   * Advances time until `done()` holds or nothing waits any more (or `until` is reached), settling all promise
   * work between wake-ups.
   */
  async run(options: { done?: () => boolean; until?: Date } = {}): Promise<void> {
    const limit = options.until?.getTime() ?? Number.POSITIVE_INFINITY;
    await settle();
    for (;;) {
      if (options.done?.()) return;
      const next = this.sleepers[0];
      if (next === undefined || next.at > limit) return;
      this.sleepers.shift();
      this.nowMs = next.at;
      next.wake();
      // Wake everything due at the same moment before letting promises run: ordering stays deterministic.
      while (this.sleepers[0] !== undefined && this.sleepers[0].at === this.nowMs) this.sleepers.shift()?.wake();
      await settle();
    }
  }
}

/** Lets every pending promise reaction run (a macrotask turn comes after all microtasks). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
