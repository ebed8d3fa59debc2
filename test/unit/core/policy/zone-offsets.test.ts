import fc from 'fast-check';
import { IANAZone } from 'luxon';
import { describe, expect, it } from 'vitest';
import { memoisedZone } from '../../../../functions/core/policy/zone-offsets.ts';

const ZONES = ['Europe/Warsaw', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'Africa/Monrovia', 'UTC'];

describe('memoisedZone', () => {
  it('gives the offsets luxon gives, at any instant, remembered or not (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        // 1960 to 2060: Monrovia's 1972 transition fell on a half minute, which must not be remembered.
        fc.integer({ min: -315_619_200_000, max: 2_871_763_200_000 }),
        fc.integer({ min: -90_000, max: 90_000 }),
        (name, instant, nearby) => {
          const zone = memoisedZone(name);
          const reference = IANAZone.create(name);
          expect(zone.offset(instant)).toBe(reference.offset(instant));
          // A second read in the same minute comes from the memo.
          expect(zone.offset(instant + nearby)).toBe(reference.offset(instant + nearby));
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('is exact on both sides of a daylight-saving change, to the millisecond', () => {
    const zone = memoisedZone('Europe/Warsaw');
    // 2026-03-29 01:00 UTC: Warsaw moves from +60 to +120 minutes.
    const change = Date.UTC(2026, 2, 29, 1, 0, 0);
    expect(zone.offset(change - 1)).toBe(60);
    expect(zone.offset(change)).toBe(120);
    expect(zone.offset(change - 1)).toBe(60);
  });

  it('never remembers a minute with a transition inside it (Monrovia, 1972-01-07 00:44:30 UTC)', () => {
    const zone = memoisedZone('Africa/Monrovia');
    const change = Date.parse('1972-01-07T00:44:30Z');
    expect(zone.offset(change - 10_000)).toBe(-44.5);
    expect(zone.offset(change)).toBe(0);
    expect(zone.offset(change - 1)).toBe(-44.5);
  });

  it('is one instance per zone name, invalid names included', () => {
    expect(memoisedZone('Europe/Warsaw')).toBe(memoisedZone('Europe/Warsaw'));
    expect(memoisedZone('Mars/Olympus').isValid).toBe(false);
  });
});
