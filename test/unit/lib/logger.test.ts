import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskPhonesIn } from '../../../functions/lib/logger.ts';

describe('maskPhonesIn', () => {
  it('masks numbers in error texts, as Connect and SNS write them', () => {
    expect(maskPhonesIn('DestinationNotAllowedException: +48 601-234-567 not allowed')).toBe(
      'DestinationNotAllowedException: +48*****4567 not allowed',
    );
    expect(maskPhonesIn('Invalid parameter: PhoneNumber 48601234567')).toBe(
      'Invalid parameter: PhoneNumber 486****4567',
    );
  });

  it('leaves dates, times, ContactIds and counts alone', () => {
    const text = 'at 2026-12-04T19:47:19.015Z contact 0a19d23a-ed5c-44bc-8017-123456789012 after 12345 ms';
    expect(maskPhonesIn(text)).toBe(text);
  });

  it('never lets an E.164 number through, wherever it stands (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.stringMatching(/^[\d ()+-]{0,12}$/)),
        fc.stringMatching(/^\+[1-9]\d{7,14}$/),
        fc.oneof(fc.string(), fc.stringMatching(/^[\d ()+-]{0,12}$/)),
        (before, phone, after) => {
          const masked = maskPhonesIn(`${before} ${phone} ${after}`);
          expect(masked).not.toContain(phone);
          expect(masked).not.toContain(phone.slice(1));
        },
      ),
    );
  });
});
