import { normalisePhone, normalisePhoneWithLibrary } from '../functions/core/import/phone.ts';
const N = 300_000;
const inputs: string[] = [];
for (let i = 0; i < N; i++) {
  const n = String(500_000_000 + i * 1637).padStart(9, '0');
  const f = i % 4;
  inputs.push(f === 0 ? `+48 ${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}` : f === 1 ? `0048${n}` : f === 2 ? `${n.slice(0, 3)}-${n.slice(3, 6)}-${n.slice(6)}` : `(${n.slice(0, 3)}) ${n.slice(3, 6)} ${n.slice(6)}`);
}
for (const [name, fn] of [['fast', normalisePhone], ['library', normalisePhoneWithLibrary]] as const) {
  for (let k = 0; k < 2; k++) {
    let ok = 0;
    const t = performance.now();
    for (const s of inputs) if (fn(s, 'PL', { allowPremium: false }).ok) ok++;
    const ms = performance.now() - t;
    console.log(name, ok, Math.round((N / ms) * 1000), '/s');
  }
}
