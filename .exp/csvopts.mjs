import { parse } from 'csv-parse';
const N = 1_000_000;
const chunks = []; let s = '';
for (let i = 0; i < N; i++) { s += `+48 601 ${String(i % 1000).padStart(3, '0')} 567;Jan Kowalski;C-${i};gold;Warszawa\r\n`; if (s.length > 65536) { chunks.push(Buffer.from(s)); s = ''; } }
chunks.push(Buffer.from(s));
async function run(label, opts, mode) {
  let count = 0; const t = performance.now();
  if (mode === 'onrecord') {
    const p = parse({ ...opts, on_record: () => { count++; return null; } });
    for (const c of chunks) p.write(c);
    await new Promise((r) => p.end(r));
  } else {
    const p = parse(opts);
    for (const c of chunks) { p.write(c); let r; while ((r = p.read()) !== null) count++; }
    await new Promise((r) => { p.end(); p.on('end', r); p.on('readable', () => { while (p.read() !== null) count++; }); });
  }
  console.log(label.padEnd(30), mode.padEnd(9), count, (performance.now() - t).toFixed(0), 'ms');
}
const base = { delimiter: ';', relax_quotes: true, relax_column_count: true };
for (let k = 0; k < 2; k++) {
await run('auto record delim', base, 'onrecord');
await run('array record delim', { ...base, record_delimiter: ['\r\n', '\n', '\r'] }, 'onrecord');
await run('auto record delim', base, 'read');
await run('array record delim', { ...base, record_delimiter: ['\r\n', '\n', '\r'] }, 'read');
await run('crlf only', { ...base, record_delimiter: '\r\n' }, 'read');
}
