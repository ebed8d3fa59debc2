import { describe, expect, it } from 'vitest';
import type { RunStatus } from '../../../cli/api-schemas.ts';
import { renderStatus, runProgress, statusLine } from '../../../cli/commands/status.ts';

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
});
