import { describe, expect, it } from 'vitest';
import { ListFormatError } from '../../../../functions/core/import/list-format-error.ts';
import { readDoNotCallList } from '../../../../functions/use-cases/import/read-do-not-call-list.ts';

const list = (...rows: string[]) => Buffer.from(`${rows.join('\r\n')}\r\n`);

describe('readDoNotCallList', () => {
  it('reads national numbers in the country given, premium numbers included', async () => {
    const reading = await readDoNotCallList(
      list('Phone Number;Note', '601 234 567;asked', '0048 601 234 568;', '+48 701 234 567;premium', '601234567;again'),
      'PL',
    );

    expect(reading).toMatchObject({
      phones: ['+48601234567', '+48601234568', '+48701234567'],
      rows: 4,
      duplicates: 1,
      rejected: 0,
    });
  });

  it('without a country, takes international numbers and refuses national ones by line', async () => {
    const reading = await readDoNotCallList(
      list('msisdn', '+48 601 234 567', '0049 30 1234567', '601 234 568', '+1 212 555 0123', '+48601234567', 'n/a'),
      undefined,
    );

    expect(reading.phones).toEqual(['+48601234567', '+49301234567', '+12125550123']);
    expect(reading).toMatchObject({ rows: 6, duplicates: 1, rejected: 2 });
    expect(reading.errors).toEqual([
      {
        line: 4,
        column: 'msisdn',
        value: '601 234 568',
        code: 'NO_COUNTRY_CODE',
        reason: expect.stringContaining('?country=XX'),
      },
      { line: 7, column: 'msisdn', value: 'n/a', code: 'NO_COUNTRY_CODE', reason: expect.any(String) },
    ]);
  });

  it('keeps its own reason for a bad international number', async () => {
    const reading = await readDoNotCallList(list('phone', '+999 123'), undefined);

    expect(reading.errors[0]).toMatchObject({ line: 2, code: 'INVALID_COUNTRY_CODE' });
  });

  it('refuses a file without a phone column, as the import does', async () => {
    await expect(readDoNotCallList(list('name', 'Jan'), 'PL')).rejects.toBeInstanceOf(ListFormatError);
    await expect(readDoNotCallList(Buffer.alloc(0), 'PL')).rejects.toMatchObject({ code: 'EMPTY_FILE' });
  });
});
