import { describe, expect, it } from 'vitest';
import { analyseHeader } from '../../../../functions/core/import/header.ts';
import { MAX_CONTACT_DATA_BYTES, RowValidator } from '../../../../functions/core/import/row-validator.ts';

function validator(headers: string[], extraFields: 'reject' | 'keep' = 'reject'): RowValidator {
  return new RowValidator(analyseHeader(headers, 1, ['phone'], 'PL'), {
    defaultCountry: 'PL',
    timeZone: 'Europe/Warsaw',
    allowPremium: false,
    extraFields,
  });
}

describe('RowValidator', () => {
  it('counts attribute size in UTF-8 bytes, not characters', () => {
    const rows = validator(['phone', 'notes']);
    const fits = 'ł'.repeat(Math.floor((MAX_CONTACT_DATA_BYTES - 'notes'.length) / 2));
    const tooBig = 'ł'.repeat(MAX_CONTACT_DATA_BYTES / 2);

    expect(rows.check(2, ['601234567', fits])).toMatchObject({ kind: 'accepted' });
    expect(rows.check(3, ['601234568', tooBig])).toMatchObject({
      kind: 'rejected',
      code: 'ROW_TOO_LARGE',
      reason: expect.stringContaining(`take ${'notes'.length + MAX_CONTACT_DATA_BYTES} bytes; at most 16384`),
    });
  });

  it('counts name and external id in the same budget: a 40,000-character name is rejected with its line', () => {
    const rows = validator(['phone', 'name', 'external_id', 'notes']);

    expect(rows.check(7, ['601234567', 'x'.repeat(40_000), 'id-1', 'ok'])).toMatchObject({
      kind: 'rejected',
      line: 7,
      code: 'ROW_TOO_LARGE',
    });
    expect(rows.check(8, ['601234568', 'Anna', 'y'.repeat(16_000), 'z'.repeat(1_000)])).toMatchObject({
      kind: 'rejected',
      line: 8,
      code: 'ROW_TOO_LARGE',
    });
    expect(rows.check(9, ['601234569', 'a'.repeat(8_000), 'b'.repeat(8_000), 'c'])).toMatchObject({
      kind: 'accepted',
    });
  });

  it('rejects a 900 KB name cell instead of failing the write, and imports the rows after it', () => {
    const rows = validator(['phone', 'name']);

    expect(rows.check(2, ['601234567', 'n'.repeat(900 * 1024)])).toMatchObject({
      kind: 'rejected',
      code: 'ROW_TOO_LARGE',
    });
    expect(rows.check(3, ['601234568', 'Anna'])).toMatchObject({ kind: 'accepted', contact: { name: 'Anna' } });
  });

  it('keeps values of unnamed columns only when there are some', () => {
    const rows = validator(['phone', '', 'city']);

    expect(rows.check(2, ['601234567', '', 'Kraków'])).toMatchObject({
      contact: { attributes: { city: 'Kraków' } },
    });
    expect(rows.check(3, ['601234568', ' VIP ', ''])).toMatchObject({
      contact: { attributes: { column_2: 'VIP', city: '' } },
    });
  });

  it('ignores empty cells beyond the header and treats missing trailing cells as empty', () => {
    const rows = validator(['phone', 'name', 'city']);

    expect(rows.check(2, ['601234567', 'Jan', '', '', ''])).toEqual({
      kind: 'accepted',
      line: 2,
      contact: {
        phone: '+48601234567',
        country: 'PL',
        timeZone: 'Europe/Warsaw',
        name: 'Jan',
        attributes: { city: '' },
      },
    });
    expect(rows.check(3, ['601234568'])).toMatchObject({ kind: 'accepted', contact: { attributes: { city: '' } } });
  });

  it('keeps XLSX cells beyond the header under their column number', () => {
    const rows = validator(['phone'], 'keep');

    expect(rows.check(2, ['601234567', '', 'late note'])).toMatchObject({
      contact: { attributes: { column_3: 'late note' } },
    });
  });

  it('accepts the spellings exports write, and refuses on purpose what it will not call, with a code of its own', () => {
    const rows = validator(['phone', 'name']);

    expect(rows.check(2, ['(+48) 601 234 567', 'Jan'])).toMatchObject({
      kind: 'accepted',
      contact: { phone: '+48601234567' },
    });
    expect(rows.check(3, ['Tel.: 602\u202f345\u202f678', 'Ewa'])).toMatchObject({
      kind: 'accepted',
      contact: { phone: '+48602345678' },
    });
    expect(rows.check(4, [' 603 456 789; 604 567 890 ', 'Anna'])).toEqual({
      kind: 'rejected',
      line: 4,
      column: 'phone',
      value: '603 456 789; 604 567 890',
      code: 'MULTIPLE_NUMBERS',
      reason:
        'the cell holds 2 numbers ("603 456 789", "604 567 890"): the phone column takes one number per row; put each in a row of its own',
      fields: [' 603 456 789; 604 567 890 ', 'Anna'],
    });
    expect(rows.check(5, ['22 123 45 67 wew. 204', 'Biuro'])).toMatchObject({
      kind: 'rejected',
      column: 'phone',
      code: 'EXTENSION',
      reason: 'extension 204 cannot be dialled: list the direct number without it',
    });
    expect(rows.check(6, ['605 678 901 (nie dzwonić)', 'Piotr'])).toMatchObject({
      kind: 'rejected',
      column: 'phone',
      code: 'EXTRA_TEXT',
      reason:
        'the cell holds "nie dzwonić" besides the number: put only the number in the phone column (notes belong in a column of their own)',
    });
    expect(rows.acceptedNumbers).toBe(2);
  });

  it('reports a repeated number as a duplicate of the first accepted row, not of a rejected one', () => {
    const rows = validator(['phone', 'timezone']);

    expect(rows.check(2, ['601234567', 'Nowhere/Town'])).toMatchObject({ kind: 'rejected', code: 'INVALID_TIME_ZONE' });
    expect(rows.check(3, ['+48 601 234 567', ''])).toMatchObject({ kind: 'accepted' });
    expect(rows.check(4, ['0048601234567', ''])).toEqual({
      kind: 'duplicate',
      line: 4,
      phone: '+48601234567',
      firstLine: 3,
    });
    // The number is in already: the rest of the row does not matter.
    expect(rows.check(5, ['601 234 567', 'Nowhere/Town'])).toEqual({
      kind: 'duplicate',
      line: 5,
      phone: '+48601234567',
      firstLine: 3,
    });
    expect(rows.acceptedNumbers).toBe(1);
  });
});
