import { parse } from 'csv-parse';
const N = 100_000;
let s = 'phone;name;c;d;e\r\n';
for (let i = 0; i < N; i++) s += `+48 601 ${String(i % 1000).padStart(3, '0')} 567;Jan Kowalski;C-${i};gold;Warszawa;\r\n`;
const buf = Buffer.from(s);
for (let k = 0; k < 2; k++) {
let count = 0; const t = performance.now();
const p = parse({ delimiter: ';', relax_quotes: true, relax_column_count: true, on_record: () => { count++; return null; } });
p.write(buf); await new Promise((r) => p.end(r));
console.log(count, (performance.now() - t).toFixed(0), 'ms for', N, 'inconsistent rows');
}
