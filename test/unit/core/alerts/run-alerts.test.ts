import { describe, expect, it } from 'vitest';
import {
  dialErrorsAlert,
  importRejectionAlert,
  leakedLeasesAlert,
  runOverdueAlert,
  throttlingAlert,
} from '../../../../functions/core/alerts/run-alerts.ts';

const now = new Date('2026-11-23T10:00:00Z');

describe('run alerts', () => {
  it('alerts dial errors from the second failing tick on, saying since when and what to do', () => {
    const input = { campaignId: 'demo', date: '2026-11-23', tickSeconds: 5, lastError: 'ResourceNotFound', now };

    expect(dialErrorsAlert({ ...input, ticks: 1 })).toBeUndefined();
    const alert = dialErrorsAlert({ ...input, ticks: 2 });
    expect(alert?.condition).toBe('dispatch-errors#demo#2026-11-23');
    expect(alert?.message).toMatch(
      /campaign demo run 2026-11-23.*since about 2026-11-23T09:59:50.000Z.*ResourceNotFound.*Next step/,
    );
  });

  it('alerts throttling sustained over three ticks, once per engine (one condition)', () => {
    const input = { campaignId: 'demo', date: '2026-11-23', tickSeconds: 5, dialRate: 0.5, now };

    expect(throttlingAlert({ ...input, ticks: 2 })).toBeUndefined();
    expect(throttlingAlert({ ...input, ticks: 3 })).toMatchObject({ condition: 'connect-throttling' });
    expect(throttlingAlert({ ...input, ticks: 3 })?.message).toMatch(/0\.50\/s.*Next step/);
  });

  it('words the overdue-run and import-rejection alerts with the run, the time and the next step', () => {
    expect(
      runOverdueAlert({
        campaignId: 'demo',
        date: '2026-11-22',
        status: 'RUNNING',
        lastTickAt: '2026-11-23T01:00:00Z',
        dateEndedAt: new Date('2026-11-23T11:00:00Z'),
        now,
      }).message,
    ).toMatch(
      /demo run 2026-11-22 is still RUNNING.*since 2026-11-23T11:00:00.000Z.*last tick 2026-11-23T01:00:00Z.*Next step/,
    );
    const rejection = importRejectionAlert({
      campaignId: 'demo',
      date: '2026-11-23',
      listId: '20261123-abc',
      rows: 10,
      rejected: 3,
      threshold: 0.2,
      finishedAt: now.toISOString(),
    });
    expect(rejection.condition).toBe('import-rejections#demo#20261123-abc');
    expect(rejection.message).toMatch(/rejected 3 of 10 rows \(30\.0 %, threshold 20 %\).*Next step/);
    expect(rejection.message).toContain('GET /campaigns/demo/lists/20261123-abc/rejected.csv');
  });

  it('alerts leaked lines from three in a sweep on, naming each run, the oldest start and the next step', () => {
    const lease = (campaignId: string, startedAt: string) => ({ campaignId, date: '2026-11-23', startedAt });
    const leases = [
      lease('demo', '2026-11-23T09:20:00Z'),
      lease('demo', '2026-11-23T09:10:00Z'),
      lease('flu', '2026-11-23T09:30:00Z'),
    ];

    expect(leakedLeasesAlert({ leases: leases.slice(0, 2), maxCallSeconds: 1_800, now })).toBeUndefined();
    const alert = leakedLeasesAlert({ leases, maxCallSeconds: 1_800, now });
    expect(alert?.condition).toBe('leaked-leases');
    expect(alert?.message).toMatch(
      /3 call attempts.*campaign demo run 2026-11-23 \(2\), campaign flu run 2026-11-23 \(1\); the oldest started at 2026-11-23T09:10:00Z.*Next step/,
    );
  });
});
