import { describe, expect, it } from 'vitest';
import { runLateAlert } from '../../../../functions/core/alerts/run-alerts.ts';

describe('runLateAlert', () => {
  it('says how many will wait at the close, in the campaign’s time, and what to raise', () => {
    const alert = runLateAlert({
      campaignId: 'demo',
      date: '2026-03-02',
      waiting: 3_200,
      windowClosesAt: new Date('2026-03-02T19:00:00Z'),
      timeZone: 'Europe/Warsaw',
      finishAt: new Date('2026-03-02T21:30:00Z'),
      raise: { lines: 900 },
      now: new Date('2026-03-02T14:00:00Z'),
    });
    expect(alert.condition).toBe('run-late#demo#2026-03-02');
    expect(alert.subject).toBe('[ALERT] demo 2026-03-02 will not finish by 20:00');
    expect(alert.message).toMatch(
      /^RUN WILL MISS ITS WINDOW: at the current pace, 3,200 contacts of campaign demo run 2026-03-02 will still be waiting at 20:00 \(Europe\/Warsaw\);/,
    );
    expect(alert.message).toContain('Next step: raise lines to 900 or extend the window.');
    expect(alert.periodSeconds).toBe(3_600);
  });

  it('asks to extend the window when no cap would help', () => {
    const alert = runLateAlert({
      campaignId: 'demo',
      date: '2026-03-02',
      waiting: 12,
      windowClosesAt: new Date('2026-03-02T19:00:00Z'),
      timeZone: 'UTC',
      finishAt: new Date('2026-03-03T08:00:00Z'),
      now: new Date('2026-03-02T18:00:00Z'),
    });
    expect(alert.message).toContain('Next step: extend the window.');
  });
});
