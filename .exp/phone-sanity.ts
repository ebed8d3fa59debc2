import { normalisePhone, normalisePhoneWithLibrary } from '../functions/core/import/phone.ts';
const cases: [string, any][] = [
  ['+48 601 234 567', 'PL'], ['0048601234567', 'PL'], ['601-234-567', 'PL'], ['(601) 234 567', 'PL'], ["'+48601234567", 'PL'],
  ['60123456', 'PL'], ['6012345678', 'PL'], ['112', 'PL'], ['19115', 'PL'], ['+48 701 234 567', 'PL'], ['+48 801 234 567', 'PL'],
  ['+48 800 123 456', 'PL'], ['abc', 'PL'], ['', 'PL'], ['   ', 'PL'], ['-', 'PL'], ['4.86012E+10', 'PL'], ['601 234 567 ext. 12', 'PL'],
  ['+999 123456', 'PL'], ['+881 6 1234 5678', 'PL'], ['030 1234567', 'DE'], ['+49 30 1234567', 'PL'], ['0044 20 7946 0958', 'US'],
  ['+44 (0)20 7946 0958', 'PL'], ['(212) 555-0123', 'US'], ['+1 212 555 0123', 'PL'], ['48601234567', 'PL'], ['+48 0601234567', 'PL'],
  ['+48601234567', 'PL'], ['+48 22 123 45 67', 'PL'], ['+48 (22) 123-45-67', 'PL'], ['0900 123456', 'DE'], ['+33 6 12 34 56 78', 'PL'], ['06 12 34 56 78', 'FR'],
  ['＋４８６０１２３４５６７', 'PL'], ['601234567 / 602345678', 'PL'], ['tel:+48601234567', 'PL'], ['+48 601 234 567 #12', 'PL'],
];
for (const [raw, c] of cases) {
  const a = normalisePhone(raw, c, { allowPremium: false });
  const b = normalisePhoneWithLibrary(raw, c, { allowPremium: false });
  console.log(JSON.stringify(raw).padEnd(30), c, JSON.stringify(a), JSON.stringify(a) === JSON.stringify(b) ? '' : 'MISMATCH ' + JSON.stringify(b));
}
