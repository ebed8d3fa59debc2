/**
 * One way to meet contention and throttling in DynamoDB, used by every conditional write on the dial path:
 * send again after a capped exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff
 * And Jitter"), with a ClientRequestToken that stays the same only when an earlier try may have landed.
 *
 * - busy (transaction conflict, throttling; see {@link isBusy}): nothing was written, so the next try is a new
 *   request with a new token;
 * - ambiguous (timeout, broken connection, 500; see {@link isAmbiguous}): the write may have landed, so the next
 *   try carries the same token, and DynamoDB applies a transaction at most once within 10 minutes;
 * - anything else (a failed condition, a validation error) is the answer, returned to the caller at once.
 *
 * When DynamoDB stays busy for every try, the error is a {@link TransientError}: the state machine retries a
 * tick that ends with it, Lambda retries an event; neither counts it as a failure of the run.
 */
import { randomUUID } from 'node:crypto';
import { TransientError } from '../lib/transient-error.ts';
import { isAmbiguous, isBusy } from './transaction-errors.ts';

export interface ContentionOptions {
  /** Tries in all, the first included. */
  maxAttempts?: number;
  /** Upper bound of the first pause; doubles each try up to `maxDelayMs`. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** What the operation is, for the error message (`claim`, `finish attempt`, …). */
  what?: string;
  sleep?: (milliseconds: number) => Promise<void>;
  random?: () => number;
}

/** What contention cost this process so far: read by handlers for their metrics and by the benchmarks. */
export const contentionStats = { busy: 0, ambiguous: 0, exhausted: 0 };

const defaultSleep = (milliseconds: number) => new Promise<void>((resolve) => setTimeout(resolve, milliseconds));

/** The pause before try `attempt` (1 = the first retry): uniform in [0, min(cap, base · 2^(attempt − 1))). */
export function backoffDelay(attempt: number, baseDelayMs: number, maxDelayMs: number, random: () => number): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

/**
 * Runs `operation` until it succeeds or fails for a reason other than contention.
 * @param operation - Called with the ClientRequestToken to send (transactions pass it on; other writes ignore it).
 * @throws TransientError when every try met contention; the operation's own error otherwise.
 */
export async function retryContention<T>(
  operation: (attempt: { clientRequestToken: string; attempt: number }) => Promise<T>,
  options: ContentionOptions = {},
): Promise<T> {
  const {
    maxAttempts = 8,
    baseDelayMs = 10,
    maxDelayMs = 1_000,
    what = 'DynamoDB write',
    sleep = defaultSleep,
    random = Math.random,
  } = options;
  let clientRequestToken = randomUUID();
  let lastError: unknown;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    if (attempt > 1) await sleep(backoffDelay(attempt - 1, baseDelayMs, maxDelayMs, random));
    try {
      return await operation({ clientRequestToken, attempt });
    } catch (error) {
      if (isBusy(error)) {
        contentionStats.busy++;
        clientRequestToken = randomUUID();
      } else if (isAmbiguous(error)) {
        contentionStats.ambiguous++;
      } else {
        throw error;
      }
      lastError = error;
    }
  }
  contentionStats.exhausted++;
  const name = (lastError as Error | undefined)?.name ?? 'unknown error';
  throw new TransientError(`${what}: DynamoDB stayed busy for ${maxAttempts} tries (last: ${name})`, {
    cause: lastError,
  });
}
