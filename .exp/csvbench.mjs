import { parse } from '/work/main/node_modules/csv-parse/lib/index.js';
const N = 1_000_000;
function chunk(start, n) {
  let s = '';
  for (let i = start; i < start + n; i++) s += `+48 6${String(i).padStart(8, '0').replace(/(\d{2})(\d{3})(\d{3})/, '$1 $2 $3')};Jan Kowalski ${i};ext-${i};pl-PL;segment-a\r\n`;
  return Buffer.from(s);
}
const chunks = [];
for (let i = 0; i < N; i += 1000) chunks.push(chunk(i, 1000));
console.log('bytes', chunks.reduce((a, c) => a + c.length, 0));
for (const mode of ['onrecord', 'iter']) {
  let count = 0;
  const t = performance.now();
  if (mode === 'onrecord') {
    const p = parse({ delimiter: ';', relax_column_count: true, on_record: (r) => { count++; return null; } });
    for (const c of chunks) p.write(c);
    p.end();
    await new Promise((res) => { p.on('end', res); p.resume(); });
  } else {
    const p = parse({ delimiter: ';', relax_column_count: true });
    (async () => { for (const c of chunks) { if (!p.write(c)) await new Promise(r => p.once('drain', r)); } p.end(); })();
    for await (const r of p) count++;
  }
  const ms = performance.now() - t;
  console.log(mode, count, ms.toFixed(0), 'ms', (count / ms * 1000).toFixed(0), 'rows/s');
}
