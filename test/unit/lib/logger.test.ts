import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { logger, maskPhonesIn } from '../../../functions/lib/logger.ts';

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

/** What the engine's logger writes while `log` runs, one parsed JSON object per line. */
function captured(log: () => void): Array<Record<string, unknown>> {
  const lines: string[] = [];
  const capture = (chunk: unknown) => {
    lines.push(String(chunk));
    return true;
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  try {
    log();
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return lines
    .join('')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('logger: errors are written with their phone numbers masked', () => {
  const PHONE = '+48601234567';

  it('masks the message and the stack of a logged error, and keeps the standard keys', () => {
    // As SNS words a refused SMS: the number is in the SDK error's own message.
    const error = new Error(`Invalid parameter: PhoneNumber Reason: ${PHONE} is not valid to publish to`);

    const [line] = captured(() => logger.error('follow-up failed', { ruleId: 'thanks', error }));

    expect(line).toMatchObject({ level: 'ERROR', message: 'follow-up failed', ruleId: 'thanks' });
    expect(line?.error).toMatchObject({ name: 'Error', message: expect.stringContaining('+48*****4567') });
    expect(String((line?.error as { stack?: unknown } | undefined)?.stack)).toContain('+48*****4567');
    expect(JSON.stringify(line)).not.toContain('601234567');
  });

  it('masks causes, aggregated errors, SDK fields and errors logged as text', () => {
    const sdkError = Object.assign(new Error('Transaction cancelled'), {
      name: 'TransactionCanceledException',
      $metadata: { httpStatusCode: 400 },
      CancellationReasons: [{ Code: 'ConditionalCheckFailed', Item: { sk: { S: `CONTACT#${PHONE}` } } }],
    });
    const wrapped = new Error('settle failed', { cause: sdkError });
    const both = new AggregateError([wrapped, new Error(`no route to ${PHONE.slice(1)}`)], 'two failures');

    const lines = captured(() => {
      logger.error('aggregated', { error: both });
      logger.error('as extra argument', wrapped);
      logger.warn('as text', { error: `DestinationNotAllowed: ${PHONE}` });
      logger.error('nested', { attempt: { phone: 'masked by the caller', failure: sdkError } });
    });

    expect(lines).toHaveLength(4);
    const text = JSON.stringify(lines);
    expect(text).not.toContain('601234567');
    expect(text).toContain('CONTACT#+48*****4567');
    expect(text).toContain('TransactionCanceledException');
    expect(lines[2]?.error).toBe('DestinationNotAllowed: +48*****4567');
  });

  it('never writes an E.164 number that an error message carries (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.stringMatching(/^\+[1-9]\d{7,14}$/), fc.string(), (before, phone, after) => {
        const [line] = captured(() => logger.error('failed', { error: new Error(`${before} ${phone} ${after}`) }));
        const text = JSON.stringify(line);
        expect(text).not.toContain(phone);
        expect(text).not.toContain(phone.slice(1));
      }),
      { numRuns: 200 },
    );
  });
});
