/**
 * A clock for discrete-event simulation: `sleep` resolves when the simulation reaches the wake-up time, and
 * `run` advances time from one wake-up to the next, letting every promise chain that a wake-up starts settle
 * before it moves on. Hours of dialing run in seconds, deterministically.
 */
import { MinHeap } from '../../core/planning/min-heap.ts';

interface Sleeper {
  at: number;
  order: number;
  wake: () => void;
}

export class SimulatedClock {
  private nowMs: number;
  /** Wake-ups by time, then by order of scheduling (a heap: a run at 140 dials/s keeps 10,000 calls waiting). */
  private readonly sleepers = new MinHeap<Sleeper>((a, b) => a.at < b.at || (a.at === b.at && a.order < b.order));
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
    this.sleepers.push({ at: Math.max(at, this.nowMs), order: this.order++, wake: action });
  }

  /** Moves time forward to `at` (waking whatever is due on the way). */
  async advanceTo(at: Date): Promise<void> {
    await this.run({ until: at });
    this.nowMs = Math.max(this.nowMs, at.getTime());
  }

  /** Whether anything is waiting for time to pass. */
  get pending(): number {
    return this.sleepers.size;
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
      const next = this.sleepers.peek();
      if (next === undefined || next.at > limit) return;
      this.sleepers.pop();
      this.nowMs = next.at;
      next.wake();
      // Wake everything due at the same moment before letting promises run: ordering stays deterministic.
      while (this.sleepers.peek()?.at === this.nowMs) this.sleepers.pop()?.wake();
      await settle();
    }
  }
}

/** Lets every pending promise reaction run (a macrotask turn comes after all microtasks). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
