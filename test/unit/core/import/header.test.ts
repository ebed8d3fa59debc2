import { describe, expect, it } from 'vitest';
import {
  analyseHeader,
  attributeKey,
  compactHeaderName,
  OPTIONAL_COLUMN_NAMES,
} from '../../../../functions/core/import/header.ts';
import { ListFormatError } from '../../../../functions/core/import/list-format-error.ts';

const PHONE_COLUMNS = ['phone', 'phone_number', 'number', 'msisdn', 'telefon', 'tel'];

describe('compactHeaderName', () => {
  it.each([
    ['Phone Number', 'phonenumber'],
    ['phone_number', 'phonenumber'],
    ['PHONE-NUMBER', 'phonenumber'],
    [' Tel. ', 'tel'],
    ['Telefón', 'telefon'],
  ])('%j → %j', (header, compact) => {
    expect(compactHeaderName(header)).toBe(compact);
  });
});

describe('attributeKey', () => {
  it.each([
    ['Customer Name', 0, 'customer_name'],
    ['E-mail', 0, 'e-mail'],
    ['Miejscowość', 0, 'miejscowosc'],
    ['Łódź / Kraków', 0, 'lodz_krakow'],
    ['Straße', 0, 'strasse'],
    ['  __proto__  ', 0, 'proto'],
    ['Kwota (PLN)', 0, 'kwota_pln'],
    ['???', 4, 'column_5'],
    ['', 0, 'column_1'],
  ])('%j → %j', (header, index, key) => {
    const result = attributeKey(header, index);

    expect(result).toBe(key);
    expect(result).toMatch(/^[A-Za-z0-9_-]+$/);
  });
});

describe('analyseHeader', () => {
  it('finds the phone column and the optional ones, and keys the rest as attributes', () => {
    const columns = analyseHeader(
      ['Full Name', ' TELEFON ', 'TZ', 'Lang', 'external-id', 'Segment', 'segment', ''],
      1,
      PHONE_COLUMNS,
      'PL',
    );

    expect(columns).toEqual({
      line: 1,
      headers: ['Full Name', ' TELEFON ', 'TZ', 'Lang', 'external-id', 'Segment', 'segment', ''],
      phoneColumn: 'TELEFON',
      columns: [
        { index: 0, header: 'Full Name', role: 'name', key: '' },
        { index: 1, header: 'TELEFON', role: 'phone', key: '' },
        { index: 2, header: 'TZ', role: 'timeZone', key: '' },
        { index: 3, header: 'Lang', role: 'language', key: '' },
        { index: 4, header: 'external-id', role: 'externalId', key: '' },
        { index: 5, header: 'Segment', role: 'attribute', key: 'segment' },
        { index: 6, header: 'segment', role: 'attribute', key: 'segment_2' },
        { index: 7, header: '', role: 'unnamed', key: 'column_8' },
      ],
    });
  });

  it('uses the campaign phone column names in their order of preference', () => {
    expect(analyseHeader(['tel', 'msisdn'], 1, PHONE_COLUMNS, 'PL').phoneColumn).toBe('msisdn');
    expect(analyseHeader(['tel', 'mobile'], 1, ['mobile', 'tel'], 'PL').phoneColumn).toBe('mobile');
  });

  it('recognises every documented optional column name', () => {
    for (const [role, names] of Object.entries(OPTIONAL_COLUMN_NAMES)) {
      for (const name of names) {
        const columns = analyseHeader(['phone', name], 1, PHONE_COLUMNS, 'PL');
        expect(columns.columns[1]?.role, name).toBe(role);
      }
    }
  });

  it('refuses a header without a phone column, listing what it found', () => {
    expect(() => analyseHeader(['Imię', 'Nazwisko', ''], 3, PHONE_COLUMNS, 'PL')).toThrow(
      new ListFormatError(
        'NO_PHONE_COLUMN',
        'no phone column in the header (found "Imię", "Nazwisko"); name it one of phone, phone_number, number, msisdn, telefon, tel (case, spaces, "_" and "-" do not matter)',
        { line: 3 },
      ),
    );
  });

  it('recognises a data row given as header', () => {
    expect(() => analyseHeader(['Jan', '601 234 567'], 1, PHONE_COLUMNS, 'PL')).toThrow(
      expect.objectContaining({ code: 'NO_HEADER', line: 1 }),
    );
  });
});
