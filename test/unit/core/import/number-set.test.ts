import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PhoneNumberSet } from '../../../../functions/core/import/number-set.ts';

describe('PhoneNumberSet', () => {
  it('returns the first line of a number seen before, and undefined for a new one', () => {
    const numbers = new PhoneNumberSet();

    expect(numbers.firstLineOrAdd('+48601234567', 2)).toBeUndefined();
    expect(numbers.firstLineOrAdd('+48601234568', 3)).toBeUndefined();
    expect(numbers.firstLineOrAdd('+48601234567', 9)).toBe(2);
    expect(numbers.firstLineOrAdd('+48601234567', 12)).toBe(2);
    expect(numbers.size).toBe(2);
  });

  it('keeps 15-digit numbers that differ in their last digit apart', () => {
    const numbers = new PhoneNumberSet();

    expect(numbers.firstLineOrAdd('+999999999999998', 2)).toBeUndefined();
    expect(numbers.firstLineOrAdd('+999999999999999', 3)).toBeUndefined();
    expect(numbers.firstLineOrAdd('+999999999999998', 4)).toBe(2);
  });

  it('behaves like a Map from number to first line, through growth', () => {
    const e164 = fc.stringMatching(/^\+[1-9]\d{6,14}$/);
    fc.assert(
      fc.property(
        fc.array(fc.oneof(e164, fc.constantFrom('+48601234567', '+12125550123')), { maxLength: 6000 }),
        (list) => {
          const numbers = new PhoneNumberSet();
          const reference = new Map<string, number>();
          list.forEach((number, index) => {
            const line = index + 2;
            expect(numbers.firstLineOrAdd(number, line)).toBe(reference.get(number));
            if (!reference.has(number)) {
              reference.set(number, line);
            }
          });
          expect(numbers.size).toBe(reference.size);
        },
      ),
      { numRuns: 40 },
    );
  });
});
