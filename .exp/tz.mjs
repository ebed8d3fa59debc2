import { readFileSync } from 'node:fs';
const byCountry = new Map();
for (const line of readFileSync('/usr/share/zoneinfo/zone.tab', 'utf8').split('\n')) {
  if (!line || line.startsWith('#')) continue;
  const [cc, , zone] = line.split('\t');
  if (!byCountry.has(cc)) byCountry.set(cc, []);
  byCountry.get(cc).push(zone);
}
function offsets(zone) {
  const out = [];
  for (const year of [2025, 2026]) for (let m = 0; m < 12; m++) for (const d of [1, 15]) {
    const date = new Date(Date.UTC(year, m, d, 12));
    const f = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' }).formatToParts(date).find((p) => p.type === 'timeZoneName').value;
    out.push(f);
  }
  return out.join(',');
}
const table = {};
const excluded = [];
for (const [cc, zones] of [...byCountry].sort()) {
  const sigs = new Set(zones.map(offsets));
  if (sigs.size === 1) table[cc] = zones[0];
  else excluded.push(cc);
}
// check Intl canonical
for (const [cc, z] of Object.entries(table)) { const r = new Intl.DateTimeFormat('en', { timeZone: z }).resolvedOptions().timeZone; if (r !== z) console.error('noncanon', cc, z, r); }
console.log(Object.keys(table).length, 'excluded', excluded.join(' '));
const entries = Object.entries(table).map(([c, z]) => `${c}:${z}`);
console.log(JSON.stringify(entries.join(' ')).length);
console.log(Object.entries(table).filter(([c]) => byCountry.get(c).length > 1));
const lines = [];
let cur = [];
for (const [c, z] of Object.entries(table)) {
  cur.push(`${c}:${z}`);
  if (cur.join(' ').length > 100) { lines.push(cur.join(' ')); cur = []; }
}
if (cur.length) lines.push(cur.join(' '));
console.log(lines.map((l) => '  ' + l).join('\n'));
