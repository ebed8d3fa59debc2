import { Readable } from 'node:stream';
import { readList } from '../functions/core/import/list-reader.ts';
import { summariseRows } from '../functions/core/import/import-summary.ts';
import { rejectedCsv } from '../functions/core/import/rejected-csv.ts';
const settings = { defaultCountry: 'PL', timeZone: 'Europe/Warsaw', import: { phoneColumns: ['phone', 'phone_number', 'number', 'msisdn', 'telefon', 'tel'], allowPremium: false } };
const csv = '\uFEFFImię i nazwisko;Telefon;Miasto;Time Zone\r\n"Kowalski; Jan";+48 601 234 567;Kraków;\r\n\r\nNowak;"601-234-567";"Gdańsk\r\nPomorze";\r\n;;;\r\nX;0048 601 234 568;Łódź;America/New_York\r\nY;abc;=cmd;\r\nZ;(601) 234 569;;Mars/Base\r\n';
const { header, rows } = await readList(Readable.from([Buffer.from(csv)]), 'csv', settings);
console.log(header);
const all = [];
for await (const r of rows) { all.push(r); console.log(JSON.stringify(r)); }
for await (const chunk of rejectedCsv(header.headers, all, { delimiter: header.delimiter })) process.stdout.write(JSON.stringify(chunk) + '\n');
