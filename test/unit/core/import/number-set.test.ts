import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PhoneNumberSet } from '../../../../functions/core/import/number-set.ts';

describe('PhoneNumberSet', () => {
  it('keeps the first line of each number', () => {
    const numbers = new PhoneNumberSet();

    expect(numbers.lineOf('+48601234567')).toBeUndefined();
    numbers.add('+48601234567', 2);
    numbers.add('+48601234568', 3);
    numbers.add('+48601234567', 9);

    expect(numbers.lineOf('+48601234567')).toBe(2);
    expect(numbers.lineOf('+48601234568')).toBe(3);
    expect(numbers.lineOf('+48601234569')).toBeUndefined();
    expect(numbers.size).toBe(2);
  });

  it('keeps 15-digit numbers that differ in their last digit apart', () => {
    const numbers = new PhoneNumberSet();

    numbers.add('+999999999999998', 2);
    numbers.add('+999999999999999', 3);

    expect(numbers.lineOf('+999999999999998')).toBe(2);
    expect(numbers.lineOf('+999999999999999')).toBe(3);
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
            expect(numbers.lineOf(number)).toBe(reference.get(number));
            numbers.add(number, line);
            if (!reference.has(number)) {
              reference.set(number, line);
            }
          });
          expect(numbers.size).toBe(reference.size);
          for (const [number, line] of reference) {
            expect(numbers.lineOf(number)).toBe(line);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
