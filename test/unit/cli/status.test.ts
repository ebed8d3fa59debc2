import { describe, expect, it } from 'vitest';
import type { RunStatus } from '../../../cli/api-schemas.ts';
import { renderStatus, retryDelay, retryProblem, runProgress, statusLine } from '../../../cli/commands/status.ts';
import { ApiError, CliError, NetworkError } from '../../../cli/errors.ts';

const now = new Date('2026-11-23T10:00:00Z');
const status: RunStatus = {
  campaignId: 'demo',
  date: '2026-11-23',
  status: 'RUNNING',
  campaignVersion: 3,
  startedAt: '2026-11-23T09:50:00Z',
  lastTickAt: '2026-11-23T09:59:58Z',
  contacts: { PENDING: 10, DIALING: 2, COMPLETED: 12, NO_ANSWER: 6 },
  outcomes: { COMPLETED: 12, NO_ANSWER: 9, BUSY: 2 },
  callsInFlight: 2,
  engineCallsInFlight: 7,
  dialRate: 1.5,
  throttles: 1,
  dialErrors: 0,
  caps: { maxConcurrentCalls: 12, dialsPerSecond: 2, dialBurst: 5 },
  nextDueAt: '2026-11-23T10:00:33Z',
};

describe('run status', () => {
  it('counts contacts still waiting (pending or being dialed) against the finished ones', () => {
    expect(runProgress(status)).toEqual({ total: 30, finished: 18, waiting: 12 });
  });

  it('shows progress, calls in flight against the cap, dial rate, outcomes and the next due attempt', () => {
    const text = renderStatus(status, now, 100);

    expect(text.split('\n')[0]).toBe('demo · 2026-11-23 · RUNNING (campaign version 3)');
    expect(text).toContain('60 %  18 of 30 contacts done, 12 waiting');
    expect(text).toContain('2 in flight for this run · 7 of 12 lines in use engine-wide');
    expect(text).toContain('1.5/s (cap 2/s, burst 5) · throttles 1 · dial errors 0');
    expect(text).toContain('outcomes   COMPLETED 12 · NO_ANSWER 9 · BUSY 2');
    expect(text).toMatch(/next due {3}\S+ \(in 33 s\)/);
  });

  it('says when there is nothing to call', () => {
    const text = renderStatus({ ...status, contacts: {}, outcomes: {}, nextDueAt: undefined }, now);

    expect(text).toContain('no contacts: upload a list');
    expect(text).toContain('nothing waiting');
  });

  it('has a one-line form for logs', () => {
    expect(statusLine(status, now)).toBe(
      '2026-11-23T10:00:00.000Z demo 2026-11-23 RUNNING · 18/30 done (60 %) · 2 in flight · 7/12 lines · next due in 33 s',
    );
  });

  it('keeps watching through network failures, 5xx and 429, but not through a refusal', () => {
    expect(retryProblem(new CliError('GET /campaigns/demo/runs/2026-11-23: an answer the CLI cannot read'))).toBe(
      undefined,
    );
    expect(retryProblem(new NetworkError('cannot reach http://127.0.0.1:3000 (ECONNREFUSED)'))).toBe(
      'cannot reach http://127.0.0.1:3000 (ECONNREFUSED)',
    );
    expect(retryProblem(new ApiError(503, 'Service Unavailable'))).toBe('the API answered 503 (Service Unavailable)');
    expect(retryProblem(new ApiError(429, 'Too Many Requests'))).toMatch(/^the API answered 429/);
    expect(retryProblem(new ApiError(403, 'Forbidden'))).toBeUndefined();
    expect(retryProblem(new ApiError(404, 'no run'))).toBeUndefined();
    expect(retryProblem(new TypeError('a bug'))).toBeUndefined();
  });

  it('backs off while refreshes fail, up to 30 s, and returns to the interval', () => {
    expect([0, 1, 2, 3, 4].map((failures) => retryDelay(5_000, failures))).toEqual([
      5_000, 10_000, 20_000, 30_000, 30_000,
    ]);
    expect(retryDelay(60_000, 2)).toBe(60_000);
  });
});
