import { describe, expect, it } from 'vitest';
import { type Campaign, parseCampaign } from '../../../../functions/core/campaign.ts';
import {
  callableWindows,
  countryOfNumber,
  isCallableAt,
  LEGAL_HOURS,
  legalHoursProblems,
  nextCallableAt,
} from '../../../../functions/core/policy/legal-hours.ts';
import { easterSunday, publicHolidays } from '../../../../functions/core/policy/public-holidays.ts';

function campaign(overrides: Record<string, unknown> = {}): Campaign {
  return parseCampaign({
    id: 'legal',
    name: 'Legal',
    defaultCountry: 'US',
    timeZone: 'America/New_York',
    callerId: '+12125550100',
    callingWindow: { days: ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'], start: '09:00', end: '20:00' },
    script: { greeting: 'Hi.', questions: [{ id: 'q1', prompt: 'Press 1.', keys: { '1': 'Yes' } }], closing: 'Bye.' },
    ...overrides,
  });
}

describe('the legal-hours table', () => {
  it('cites a source for every rule and every country without rules', () => {
    for (const entry of LEGAL_HOURS) {
      for (const rule of entry.rules) expect(rule.sources.length, entry.country).toBeGreaterThan(0);
      if (entry.rules.length === 0) expect(entry.sources.length, entry.country).toBeGreaterThan(0);
    }
  });
});

describe('legalHoursProblems', () => {
  it('accepts a window inside the legal hours', () => {
    expect(legalHoursProblems(campaign())).toEqual([]);
  });

  it('refuses a US window that starts before 8:00, by path, naming the source', () => {
    const problems = legalHoursProblems(campaign({ callingWindow: { start: '07:30', end: '20:00' } }));
    expect(problems).toHaveLength(1);
    expect(problems[0]?.path).toBe('callingWindow');
    expect(problems[0]?.message).toContain('47 CFR');
  });

  it('checks every country the campaign calls, for its purpose', () => {
    const window = { days: ['MON', 'TUE', 'WED', 'THU', 'FRI'], start: '09:00', end: '20:00' };
    const informational = campaign({
      defaultCountry: 'PL',
      timeZone: 'Europe/Warsaw',
      callerId: '+48221234567',
      callingWindow: window,
      policy: { countries: ['FR'] },
    });
    expect(legalHoursProblems(informational)).toEqual([]);
    const commercial = campaign({
      defaultCountry: 'PL',
      timeZone: 'Europe/Warsaw',
      callerId: '+48221234567',
      callingWindow: window,
      policy: { purpose: 'COMMERCIAL', lawfulBasis: 'CONSENT', countries: ['FR'] },
    });
    expect(
      legalHoursProblems(commercial)
        .map((problem) => problem.message)
        .join(),
    ).toContain('FR');
  });

  it('accepts a window outside the table when an override with a reason is recorded', () => {
    const overridden = campaign({
      callingWindow: { start: '07:00', end: '22:00' },
      policy: { legalHoursOverrides: [{ country: 'US', reason: 'emergency notifications under 47 CFR 64.1200(a)' }] },
    });
    expect(legalHoursProblems(overridden)).toEqual([]);
  });
});

describe('callableWindows', () => {
  it('cuts the campaign window to the legal hours of the callee country', () => {
    const wide = campaign({
      callingWindow: { days: ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'], start: '00:00', end: '24:00' },
      policy: { legalHoursOverrides: [{ country: 'CA', reason: 'testing the cut for US callees' }] },
    });
    const windows = callableWindows(wide, 'US', new Date('2026-03-02T12:00:00Z'));
    expect(windows).toHaveLength(1);
    // 7:59 in New York on a Monday is not callable, 8:00 is.
    expect(isCallableAt(windows, 'America/New_York', new Date('2026-03-02T12:59:00Z'))).toBe(false);
    expect(isCallableAt(windows, 'America/New_York', new Date('2026-03-02T13:00:00Z'))).toBe(true);
    expect(nextCallableAt(windows, 'America/New_York', new Date('2026-03-03T02:30:00Z'))).toEqual(
      new Date('2026-03-03T13:00:00Z'),
    );
  });

  it('never calls a French consumer for commerce on a public holiday or at lunch', () => {
    const french = campaign({
      defaultCountry: 'FR',
      timeZone: 'Europe/Paris',
      callerId: '+33144556677',
      callingWindow: { days: ['MON', 'TUE', 'WED', 'THU', 'FRI'], start: '14:00', end: '20:00' },
      policy: { purpose: 'COMMERCIAL', lawfulBasis: 'CONSENT' },
    });
    const windows = callableWindows(french, 'FR', new Date('2026-05-01T12:00:00Z'));
    // 1 May 2026 (a Friday) is a public holiday: the next call is Monday 4 May at 14:00 Paris time.
    expect(nextCallableAt(windows, 'Europe/Paris', new Date('2026-05-01T12:00:00Z'))).toEqual(
      new Date('2026-05-04T12:00:00Z'),
    );
  });

  it('leaves a country without statutory hours to the campaign window, holidays on request', () => {
    const polish = campaign({
      defaultCountry: 'PL',
      timeZone: 'Europe/Warsaw',
      callerId: '+48221234567',
      policy: { skipPublicHolidays: true },
    });
    const windows = callableWindows(polish, 'PL', new Date('2026-12-20T12:00:00Z'));
    expect(isCallableAt(windows, 'Europe/Warsaw', new Date('2026-12-24T10:00:00Z'))).toBe(false);
    expect(isCallableAt(windows, 'Europe/Warsaw', new Date('2026-12-23T10:00:00Z'))).toBe(true);
    expect(callableWindows(polish, undefined, new Date())).toEqual([polish.callingWindow]);
  });
});

describe('public holidays', () => {
  it('computes Easter', () => {
    expect(['2024', '2025', '2026', '2027'].map((year) => easterSunday(Number(year)))).toEqual([
      '2024-03-31',
      '2025-04-20',
      '2026-04-05',
      '2027-03-28',
    ]);
  });

  it('lists the Polish days off of 2025, Christmas Eve included', () => {
    expect(publicHolidays('PL', [2025])).toEqual([
      '2025-01-01',
      '2025-01-06',
      '2025-04-20',
      '2025-04-21',
      '2025-05-01',
      '2025-05-03',
      '2025-06-08',
      '2025-06-19',
      '2025-08-15',
      '2025-11-01',
      '2025-11-11',
      '2025-12-24',
      '2025-12-25',
      '2025-12-26',
    ]);
  });
});

describe('countryOfNumber', () => {
  it('tells a Canadian number from a US one', () => {
    expect(countryOfNumber('+12125550100')).toBe('US');
    expect(countryOfNumber('+14165550100')).toBe('CA');
    expect(countryOfNumber('+48601234567')).toBe('PL');
  });
});
