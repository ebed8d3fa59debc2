import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  resolveTimeZoneName,
  SINGLE_ZONE_COUNTRIES,
  zoneForCountry,
} from '../../../../functions/core/import/time-zone.ts';

describe('zoneForCountry', () => {
  it.each([
    ['PL', 'Europe/Warsaw'],
    ['DE', 'Europe/Berlin'],
    ['FR', 'Europe/Paris'],
    ['GB', 'Europe/London'],
    ['IE', 'Europe/Dublin'],
    ['IT', 'Europe/Rome'],
    ['NL', 'Europe/Amsterdam'],
    ['BE', 'Europe/Brussels'],
    ['AT', 'Europe/Vienna'],
    ['CZ', 'Europe/Prague'],
    ['SK', 'Europe/Bratislava'],
    ['HU', 'Europe/Budapest'],
    ['RO', 'Europe/Bucharest'],
    ['BG', 'Europe/Sofia'],
    ['GR', 'Europe/Athens'],
    ['SE', 'Europe/Stockholm'],
    ['FI', 'Europe/Helsinki'],
    ['DK', 'Europe/Copenhagen'],
    ['EE', 'Europe/Tallinn'],
    ['LV', 'Europe/Riga'],
    ['LT', 'Europe/Vilnius'],
    ['CY', 'Asia/Nicosia'],
    ['CH', 'Europe/Zurich'],
    ['NO', 'Europe/Oslo'],
    ['IN', 'Asia/Kolkata'],
    ['JP', 'Asia/Tokyo'],
    ['ZA', 'Africa/Johannesburg'],
  ])('%s has one zone: %s', (country, zone) => {
    expect(zoneForCountry(country)).toBe(zone);
  });

  it.each(['US', 'CA', 'MX', 'BR', 'RU', 'AU', 'ID', 'ES', 'PT', 'UA', 'CN', 'NZ', 'CL'])(
    '%s spans several offsets: no zone from the number',
    (country) => {
      expect(zoneForCountry(country)).toBeUndefined();
    },
  );

  it('lists only zones Intl and luxon know', () => {
    expect(SINGLE_ZONE_COUNTRIES.size).toBeGreaterThan(200);
    for (const [country, zone] of SINGLE_ZONE_COUNTRIES) {
      expect(country).toMatch(/^[A-Z]{2}$/);
      expect(DateTime.now().setZone(zone).isValid, zone).toBe(true);
    }
  });
});

describe('resolveTimeZoneName', () => {
  it.each([
    ['Europe/Warsaw', 'Europe/Warsaw'],
    ['europe/warsaw', 'Europe/Warsaw'],
    ['UTC', 'UTC'],
    ['America/New_York', 'America/New_York'],
    // ICU knows it as Asia/Calcutta; the list's modern spelling is kept.
    ['Asia/Kolkata', 'Asia/Kolkata'],
  ])('accepts %s as %s', (written, zone) => {
    expect(resolveTimeZoneName(written)).toBe(zone);
  });

  it.each(['', 'Europe/Warszawa', 'Warsaw', '+01:00', '-05:00', '1', 'CET+1'])('refuses %j', (written) => {
    expect(resolveTimeZoneName(written)).toBeUndefined();
  });
});
