import { parsePhoneNumberFromString, validatePhoneNumberLength } from 'libphonenumber-js/max';
const N = 200_000;
const inputs = [];
for (let i = 0; i < N; i++) inputs.push(`+48 6${String(i).padStart(8, '0').replace(/(\d{2})(\d{3})(\d{3})/, '$1 $2 $3')}`);
const clean = inputs.map((s) => s.replace(/\s/g, ''));
const national = clean.map((s) => s.slice(3));
function run(name, arr, fn) {
  const t = performance.now(); let ok = 0;
  for (const s of arr) if (fn(s)) ok++;
  const ms = performance.now() - t;
  console.log(name, ok, (arr.length / ms * 1000).toFixed(0), '/s');
}
for (let k = 0; k < 2; k++) {
run('parse only spaced', inputs, (s) => parsePhoneNumberFromString(s, 'PL'));
run('parse only clean', clean, (s) => parsePhoneNumberFromString(s, 'PL'));
run('parse+isValid', clean, (s) => parsePhoneNumberFromString(s, 'PL')?.isValid());
run('parse+getType', clean, (s) => parsePhoneNumberFromString(s, 'PL')?.getType());
run('parse+isValid+getType', clean, (s) => { const p = parsePhoneNumberFromString(s, 'PL'); return p?.isValid() && p.getType(); });
run('national parse+isValid+getType', national, (s) => { const p = parsePhoneNumberFromString(s, 'PL'); return p?.isValid() && p.getType(); });
}
const p = parsePhoneNumberFromString('601234567', 'PL'); console.log(p.number, p.country, p.getType(), p.isValid());
