import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeCsvCell, rejectedCsv } from '../../../../functions/core/import/rejected-csv.ts';
import { readBytes, readFixture } from './read-fixture.ts';

async function text(chunks: AsyncIterable<string>): Promise<string> {
  let all = '';
  for await (const chunk of chunks) {
    all += chunk;
  }
  return all;
}

describe('escapeCsvCell', () => {
  it.each([
    ['plain', ',', 'plain'],
    ['=SUM(A1:A9)', ',', "'=SUM(A1:A9)"],
    ['+48 601 234 567', ';', "'+48 601 234 567"],
    ['-5', ',', "'-5"],
    ['@cmd', ',', "'@cmd"],
    ['\tx', ',', "'\tx"],
    ['\rx', ',', `"'\rx"`],
    ['a,b', ',', '"a,b"'],
    ['a,b', ';', 'a,b'],
    ['a;b', ';', '"a;b"'],
    ['say "hi"', ',', '"say ""hi"""'],
    ['two\nlines', ';', '"two\nlines"'],
    ['=1+1,2', ',', `"'=1+1,2"`],
    // An exact E.164 number is written as is; anything else that starts with + is still defused.
    ['+48601234567', ',', '+48601234567'],
    ['+12345678', ';', '+12345678'],
    ['+123456789012345', ',', '+123456789012345'],
    ['+1234567', ',', "'+1234567"],
    ['+1234567890123456', ',', "'+1234567890123456"],
    ['+48601234567 ', ',', "'+48601234567 "],
    ['+48601234567\r', ',', `"'+48601234567\r"`],
    ['+48601234567\n', ',', `"'+48601234567\n"`],
    ['+4860123456a', ',', "'+4860123456a"],
    ['+4860123456+1', ',', "'+4860123456+1"],
    ['++48601234567', ',', "'++48601234567"],
    ['+٤٨٦٠١٢٣٤٥٦٧', ',', "'+٤٨٦٠١٢٣٤٥٦٧"],
    ['-48601234567', ',', "'-48601234567"],
    ['=48601234567', ',', "'=48601234567"],
  ])('%j with %j → %j', (value, delimiter, escaped) => {
    expect(escapeCsvCell(value, delimiter === ';' ? ';' : ',')).toBe(escaped);
  });

  const delimiters = fc.constantFrom<',' | ';' | '\t'>(',', ';', '\t');

  it('writes every E.164 number as is', () => {
    const e164 = fc.stringMatching(/^\+\d{8,15}$/);
    fc.assert(fc.property(e164, delimiters, (phone, delimiter) => escapeCsvCell(phone, delimiter) === phone));
  });

  it('defuses every other cell that a spreadsheet could take for a formula', () => {
    const risky = fc
      .tuple(fc.constantFrom('=', '+', '-', '@', '\t', '\r'), fc.string({ unit: 'binary', maxLength: 20 }))
      .map(([first, rest]) => first + rest)
      .filter((value) => !/^\+\d{8,15}$/.test(value));
    fc.assert(
      fc.property(risky, delimiters, (value, delimiter) => {
        const cell = escapeCsvCell(value, delimiter);
        // Quoted or not, the spreadsheet sees a leading ' and keeps the cell as text.
        return cell.startsWith("'") || cell.startsWith(`"'`);
      }),
    );
  });
});

describe('rejectedCsv', () => {
  it('writes the rejected rows with their original cells and the reason, in the list delimiter', async () => {
    const { header, rows } = await readFixture('excel-semicolon-bom-crlf.csv');

    const csv = await text(rejectedCsv(header.headers, rows, { delimiter: header.delimiter }));

    expect(csv.split('\r\n')).toEqual([
      '\uFEFFName;Phone Number;E-mail;Miejscowość;Segment;Time Zone;Language;External ID;reason',
      'Tomasz Lewandowski;601 234 56;;;;;;C-006;line 10: no PL fixed-line or mobile number has 8 digits (7 or 9)',
      'RAZEM;;;;;;;;line 11: no phone number',
      `'-----;'-----;;;;;;;"line 12: not a phone number: no digits in ""-----"""`,
      'Excel lost it;4.86012E+10;;;;;;C-007;"line 13: ""4.86012E+10"" is a number in scientific notation: Excel dropped digits; format the phone column as Text"',
      `Zła strefa;'+48 601 234 571;;;;Europe/Warszawa;;C-009;"line 15: ""Europe/Warszawa"" is not an IANA time zone such as Europe/Warsaw (leave it empty to use the number's or the campaign's)"`,
      `Zły język;'+48 601 234 572;;;;;polski;C-010;"line 16: ""polski"" is not a language tag such as pl or pl-PL"`,
      `Premium;'+48 701 234 567;;;;;;C-011;"line 17: +48701234567 is a premium-rate number; the campaign does not allow premium numbers"`,
      '',
    ]);
  });

  it('pads short rows to the header and renames its column when the list has a reason column', async () => {
    const { header, rows } = await readBytes('phone,reason,notes\nabc\n');

    const csv = await text(rejectedCsv(header.headers, rows, { bom: false }));

    expect(csv).toBe(
      'phone,reason,notes,import_reason\r\nabc,,,"line 2: not a phone number: ""abc"" contains letters"\r\n',
    );
  });

  it('gives back a file that reads as the same rows, formula guards removed', async () => {
    const original = 'phone;name;formula\n601 234 56;=Jan;+1\n+48 601 234 567;-Anna;@x\n';
    const first = await readBytes(original);
    const rejected = await text(rejectedCsv(first.header.headers, first.rows, { delimiter: ';' }));

    const second = await readBytes(rejected);

    expect(second.header.headers).toEqual(['phone', 'name', 'formula', 'reason']);
    expect(second.rows).toEqual([
      {
        kind: 'rejected',
        line: 2,
        column: 'phone',
        value: '601 234 56',
        code: 'INVALID_LENGTH',
        reason: 'no PL fixed-line or mobile number has 8 digits (7 or 9)',
        fields: ['601 234 56', "'=Jan", "'+1", 'line 2: no PL fixed-line or mobile number has 8 digits (7 or 9)'],
      },
    ]);
    // Once fixed, the guarded cells come back as they were written.
    const fixed = await readBytes(rejected.replace('601 234 56', '601 234 560'));
    expect(fixed.rows).toEqual([
      {
        kind: 'accepted',
        line: 2,
        contact: {
          phone: '+48601234560',
          country: 'PL',
          timeZone: 'Europe/Warsaw',
          name: '=Jan',
          // The old reason is not kept as an attribute of the contact.
          attributes: { formula: '+1' },
        },
      },
    ]);
  });

  it('writes an E.164 phone as is, and the file still reads back as the same row', async () => {
    const first = await readBytes('phone,name\n+48701234567,=Premium\n');

    const rejected = await text(rejectedCsv(first.header.headers, first.rows, { bom: false }));
    const second = await readBytes(rejected);

    expect(rejected).toBe(
      "phone,name,reason\r\n+48701234567,'=Premium,line 2: +48701234567 is a premium-rate number; the campaign does not allow premium numbers\r\n",
    );
    expect(second.rows).toMatchObject([{ kind: 'rejected', line: 2, value: '+48701234567', code: 'PREMIUM_RATE' }]);
  });

  it("keeps a list's own last column named reason when its cells are not the rejected-rows file's", async () => {
    const { rows } = await readBytes('phone,reason\n+48 601 234 567,line manager asked\n+48 601 234 568,line 3: old\n');
    expect(rows.map((row) => (row.kind === 'accepted' ? row.contact.attributes : row.kind))).toEqual([
      { reason: 'line manager asked' },
      {},
    ]);
  });
});
