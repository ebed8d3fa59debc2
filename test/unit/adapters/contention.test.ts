import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay, retryContention } from '../../../functions/adapters/contention.ts';
import { isAmbiguous, isBusy } from '../../../functions/adapters/transaction-errors.ts';

const named = (name: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(name), { name, ...extra });
const cancelled = (...codes: string[]) =>
  named('TransactionCanceledException', { CancellationReasons: codes.map((Code) => ({ Code })) });
const noSleep = { sleep: async () => undefined };

describe('isBusy and isAmbiguous', () => {
  it("reads DynamoDB's refusals as documented", () => {
    expect(isBusy(cancelled('None', 'TransactionConflict', 'None'))).toBe(true);
    expect(isBusy(cancelled('ThrottlingError', 'None'))).toBe(true);
    expect(isBusy(named('TransactionConflictException'))).toBe(true);
    expect(isBusy(named('ProvisionedThroughputExceededException'))).toBe(true);
    // A failed condition is an answer, even when another item met a conflict at the same time.
    expect(isBusy(cancelled('ConditionalCheckFailed', 'TransactionConflict'))).toBe(false);
    expect(isBusy(cancelled('ValidationError'))).toBe(false);
    expect(isBusy(named('ConditionalCheckFailedException'))).toBe(false);
    expect(isAmbiguous(named('TimeoutError'))).toBe(true);
    expect(isAmbiguous(named('InternalServerError', { $metadata: { httpStatusCode: 500 } }))).toBe(true);
    expect(isAmbiguous(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isAmbiguous(named('ValidationException', { $metadata: { httpStatusCode: 400 } }))).toBe(false);
  });
});

describe('retryContention', () => {
  it('sends again after conflicts and throttling, each time as a new request', async () => {
    const tokens: string[] = [];
    const errors = [cancelled('TransactionConflict'), named('ProvisionedThroughputExceededException')];
    const result = await retryContention(async ({ clientRequestToken }) => {
      tokens.push(clientRequestToken);
      const error = errors.shift();
      if (error !== undefined) throw error;
      return 'done';
    }, noSleep);
    expect(result).toBe('done');
    expect(new Set(tokens).size).toBe(3);
  });

  it('keeps the ClientRequestToken after an ambiguous failure, so DynamoDB applies the write at most once', async () => {
    const tokens: string[] = [];
    let failed = false;
    await retryContention(async ({ clientRequestToken }) => {
      tokens.push(clientRequestToken);
      if (!failed) {
        failed = true;
        throw named('TimeoutError');
      }
    }, noSleep);
    expect(tokens).toHaveLength(2);
    expect(tokens[0]).toBe(tokens[1]);
  });

  it('returns other errors at once: a failed condition is an answer', async () => {
    let calls = 0;
    await expect(
      retryContention(async () => {
        calls++;
        throw cancelled('ConditionalCheckFailed');
      }, noSleep),
    ).rejects.toMatchObject({ name: 'TransactionCanceledException' });
    expect(calls).toBe(1);
  });

  it('says "try again later" (TransientError, which the state machine retries) when DynamoDB stays busy', async () => {
    let calls = 0;
    await expect(
      retryContention(
        async () => {
          calls++;
          throw cancelled('TransactionConflict');
        },
        { ...noSleep, maxAttempts: 4, what: 'claim' },
      ),
    ).rejects.toMatchObject({ name: 'TransientError', message: expect.stringContaining('claim') });
    expect(calls).toBe(4);
  });

  it('pauses with full jitter under a cap that doubles (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 100, max: 5_000 }),
        fc.double({ min: 0, max: 0.999_999, noNaN: true }),
        (attempt, base, cap, random) => {
          const delay = backoffDelay(attempt, base, cap, () => random);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThan(Math.min(cap, base * 2 ** (attempt - 1)));
        },
      ),
    );
  });
});
