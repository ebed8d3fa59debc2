/**
 * Token bucket for the StartOutboundVoiceContact dial rate (AWS documents "rate R/s, burst B").
 *
 * Pure: the caller passes the clock, so tests and property checks control time exactly.
 * The bucket starts full; it refills continuously at `ratePerSecond` up to `burst` tokens.
 */
export interface TokenBucketOptions {
  /** Sustained admits per second (may be fractional, e.g. 0.5). */
  ratePerSecond: number;
  /** Bucket capacity: admits possible at once after an idle period. */
  burst: number;
}

/**
 * Token counts are kept on a 1e-9 grid. Refills round down (plus 1e-12 of slack for binary
 * floating-point noise such as 0.1 + 0.2), so rounding can delay an admit by a tick but never
 * grant one early.
 */
const PRECISION = 1e9;
const NOISE = 1e-3;

export class TokenBucket {
  readonly ratePerSecond: number;
  readonly burst: number;
  #tokens: number;
  #updatedAtMs: number | undefined;

  constructor(options: TokenBucketOptions) {
    if (!(options.ratePerSecond > 0) || !Number.isFinite(options.ratePerSecond)) {
      throw new RangeError('ratePerSecond must be a positive finite number');
    }
    if (!(options.burst >= 1) || !Number.isFinite(options.burst)) {
      throw new RangeError('burst must be at least 1');
    }
    this.ratePerSecond = options.ratePerSecond;
    this.burst = options.burst;
    this.#tokens = options.burst;
    this.#updatedAtMs = undefined;
  }

  /** Tokens available at `nowMs` (fractional). */
  available(nowMs: number): number {
    this.#refill(nowMs);
    return this.#tokens;
  }

  /** Takes one token if available at `nowMs`; returns whether the request is admitted. */
  tryTake(nowMs: number): boolean {
    this.#refill(nowMs);
    if (this.#tokens >= 1) {
      this.#tokens = Math.round((this.#tokens - 1) * PRECISION) / PRECISION;
      return true;
    }
    return false;
  }

  #refill(nowMs: number): void {
    if (this.#updatedAtMs === undefined) {
      this.#updatedAtMs = nowMs;
      return;
    }
    // A clock that steps backwards must not mint tokens later: never move the reference back.
    const elapsedMs = Math.max(0, nowMs - this.#updatedAtMs);
    this.#updatedAtMs = Math.max(this.#updatedAtMs, nowMs);
    const refilled = this.#tokens + (elapsedMs * this.ratePerSecond) / 1000;
    this.#tokens = Math.min(this.burst, Math.floor(refilled * PRECISION + NOISE) / PRECISION);
  }
}
