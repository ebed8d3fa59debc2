/**
 * The dispatcher's side of the engine's shared dial-rate bucket (`PACING` / `DIAL_RATE`): take a tick's tokens
 * (once, however often the tick runs), give back what the tick did not use, and move the adaptive rate (AIMD)
 * after each tick. The arithmetic is the core's (functions/core/policy/pacing.ts); this module reads and writes
 * the bucket optimistically through its port.
 */
import {
  type AdaptiveRate,
  adjustRate,
  createTokenBucket,
  refill,
  type TokenBucket,
  takeScheduled,
  tickAllowance,
} from '../../core/policy/pacing.ts';
import { TransientError } from '../../lib/transient-error.ts';
import type { DialRateBucket, StoredDialRate, TickReservation } from './ports.ts';

export interface RateSettings {
  /** The configured quota (Connect's StartOutboundVoiceContact rate): the adaptive rate's ceiling. */
  dialsPerSecond: number;
  dialBurst: number;
  tickSeconds: number;
}

/** Optimistic writes to the bucket before the tick gives up (other dispatchers wrote it first every time). */
const MAX_BUCKET_ROUNDS = 8;

export function adaptiveRateOf(stored: StoredDialRate | undefined, settings: RateSettings): AdaptiveRate {
  return {
    current: stored?.rate ?? settings.dialsPerSecond,
    floor: Math.min(0.1, settings.dialsPerSecond),
    ceiling: settings.dialsPerSecond,
  };
}

function bucketOf(stored: StoredDialRate | undefined, settings: RateSettings, now: Date): TokenBucket {
  const rate = adaptiveRateOf(stored, settings).current;
  return stored
    ? { ratePerSecond: rate, burst: settings.dialBurst, tokens: stored.tokens, updatedAtMs: Date.parse(stored.at) }
    : createTokenBucket({ ratePerSecond: rate, burst: settings.dialBurst }, now);
}

/** Starts the tick could afford if it had the bucket to itself: an upper bound for how many contacts to read. */
export async function affordableStarts(bucket: DialRateBucket, settings: RateSettings, now: Date): Promise<number> {
  return tickAllowance(bucketOf(await bucket.get(), settings, now), now, settings.tickSeconds);
}

/**
 * Takes this tick's tokens: `plan(allowance)` says at which offsets (ms from `now`) the tick will start calls,
 * given how many starts the bucket affords; those tokens are taken, and the reservation is noted on the run in
 * the same write. A tick that already reserved (its run names the tick) gets the tokens it has not used yet, and
 * takes none again.
 */
export async function reserveTickTokens(
  bucket: DialRateBucket,
  settings: RateSettings,
  now: Date,
  run: {
    campaignId: string;
    date: string;
    tick: string;
    attemptsStarted: number;
    previous?: TickReservation;
  },
  plan: (allowance: number) => number[],
): Promise<{ offsets: number[]; rate: number; repeated: boolean; start?: TokenBucket }> {
  if (run.previous?.tick === run.tick) {
    const left = run.previous.closed
      ? 0
      : Math.max(0, run.previous.tokens - Math.max(0, run.attemptsStarted - run.previous.startedBefore));
    const offsets = plan(left).slice(0, left);
    return { offsets, rate: adaptiveRateOf(await bucket.get(), settings).current, repeated: true };
  }
  for (let round = 0; round < MAX_BUCKET_ROUNDS; round++) {
    const stored = await bucket.get();
    const rate = adaptiveRateOf(stored, settings).current;
    const start = bucketOf(stored, settings, now);
    const offsets = plan(tickAllowance(start, now, settings.tickSeconds));
    const taken = takeScheduled(start, now, offsets);
    const written = await bucket.reserve(
      { tokens: taken.state.tokens, at: new Date(taken.state.updatedAtMs).toISOString(), rate },
      stored?.version ?? 0,
      {
        campaignId: run.campaignId,
        date: run.date,
        reservation: { tick: run.tick, tokens: taken.taken, startedBefore: run.attemptsStarted },
      },
    );
    if (written) return { offsets: offsets.slice(0, taken.taken), rate, repeated: false, start };
  }
  throw new TransientError('could not reserve dial-rate tokens: the pacing item stayed contended');
}

/**
 * The tokens Connect's bucket holds at `now` beyond the engine's, after a tick that took a token for every
 * `planned` start but sent a request for the `used` ones only (Connect counts requests): the bucket both started
 * from `start` at `tickStart`, and Connect's kept the tokens of the unused slots only while it was below its burst.
 * Giving back the count of unused slots instead overstates it whenever the bucket would have been full meanwhile
 * (a tick whose early slots found no free line), and the next tick then dials faster than Connect allows.
 */
export function unusedTokenCredit(
  start: TokenBucket,
  tickStart: Date,
  planned: readonly number[],
  used: readonly number[],
  now: Date,
): number {
  const asTaken = refill(takeScheduled(start, tickStart, planned).state, now);
  const asConnectCounts = refill(takeScheduled(start, tickStart, used).state, now);
  return Math.max(0, asConnectCounts.tokens - asTaken.tokens);
}

/**
 * Gives back tokens the tick took but did not use (no contact, no free line): the bucket mirrors Connect's,
 * which only counts requests that were sent. The same write closes the tick's reservation on its run, so the
 * tick run again (a retry after it ended) cannot use those tokens a second time. Best effort: a bucket too
 * contended to write keeps them spent, which only slows dialing down.
 */
export async function returnUnusedTokens(
  bucket: DialRateBucket,
  settings: RateSettings,
  unused: number,
  now: Date,
  run: { campaignId: string; date: string; tick: string },
): Promise<void> {
  if (unused <= 0) return;
  for (let round = 0; round < 3; round++) {
    const stored = await bucket.get();
    if (stored === undefined) return;
    const current = refill(bucketOf(stored, settings, now), now);
    const tokens = Math.min(current.burst, current.tokens + unused);
    const written = await bucket.giveBack(
      { tokens, at: new Date(current.updatedAtMs).toISOString(), rate: current.ratePerSecond },
      stored.version,
      run,
    );
    if (written !== false) return;
  }
}

/** Moves the adaptive rate after a tick (halved when Connect throttled, up 5 % of the quota otherwise). */
export async function adaptRate(
  bucket: DialRateBucket,
  settings: RateSettings,
  signal: 'ok' | 'throttled',
): Promise<number> {
  for (let round = 0; round < 5; round++) {
    const stored = await bucket.get();
    if (stored === undefined) return settings.dialsPerSecond;
    const current = adaptiveRateOf(stored, settings);
    const next = adjustRate(current, signal);
    if (next.current === stored.rate) return next.current;
    if (await bucket.put({ tokens: stored.tokens, at: stored.at, rate: next.current }, stored.version)) {
      return next.current;
    }
  }
  return adaptiveRateOf(await bucket.get(), settings).current;
}
