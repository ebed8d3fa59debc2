import { normalisePhone } from '../functions/core/import/phone.ts';
const N = 500_000;
const prefixes = ['50', '51', '53', '57', '60', '66', '69', '72', '73', '78', '79', '88'];
const inputs: string[] = [];
for (let i = 0; i < N; i++) {
  const n = prefixes[i % prefixes.length] + String(i * 13).padStart(7, '0');
  const f = i % 4;
  inputs.push(f === 0 ? `+48 ${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}` : f === 1 ? `0048${n}` : f === 2 ? `${n.slice(0, 3)}-${n.slice(3, 6)}-${n.slice(6)}` : `+48${n}`);
}
for (let k = 0; k < 3; k++) {
  let ok = 0;
  const t = performance.now();
  for (const s of inputs) if (normalisePhone(s, 'PL', { allowPremium: false }).ok) ok++;
  const ms = performance.now() - t;
  console.log(ok, Math.round((N / ms) * 1000), '/s');
}
