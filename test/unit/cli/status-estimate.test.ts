import { describe, expect, it } from 'vitest';
import type { RunStatus } from '../../../cli/api-schemas.ts';
import { estimateText, statusLine } from '../../../cli/commands/status.ts';

const now = new Date('2026-11-23T10:00:00Z');
const status: RunStatus = {
  campaignId: 'demo',
  date: '2026-11-23',
  status: 'RUNNING',
  contacts: { PENDING: 10, COMPLETED: 20 },
  outcomes: {},
  callsInFlight: 2,
  engineCallsInFlight: 2,
  caps: { maxConcurrentCalls: 12, dialsPerSecond: 2, dialBurst: 5 },
};

describe('run status estimate', () => {
  it('shows the estimated finish and the contacts left', () => {
    const text = estimateText(
      {
        ...status,
        estimate: {
          finishAt: '2026-11-23T10:40:00Z',
          remaining: 1_234,
          windowClosesAt: '2026-11-23T19:00:00Z',
          waitingAtWindowClose: 0,
          late: false,
          computedAt: '2026-11-23T09:59:30Z',
        },
      },
      now,
    );
    expect(text).toMatch(/^finish \S+ \(in 40 min 00 s\) · 1,234 contacts left · within the window$/);
  });

  it('says when the run is late, who will wait at the close and what to raise', () => {
    const late: RunStatus = {
      ...status,
      estimate: {
        finishAt: '2026-11-23T21:00:00Z',
        remaining: 9_000,
        windowClosesAt: '2026-11-23T19:00:00Z',
        waitingAtWindowClose: 3_200,
        late: true,
        raise: { lines: 900 },
        computedAt: '2026-11-23T09:59:30Z',
      },
    };
    expect(estimateText(late, now)).toMatch(
      /LATE: 3,200 will still be waiting at \S+; raise lines to 900 or extend the window$/,
    );
    expect(statusLine(late, now)).toMatch(/· finish in 11 h 00 min \(LATE\)$/);
    expect(estimateText({ ...status, estimate: undefined }, now)).toBe('not estimated yet');
  });
});
