import { parse } from 'csv-parse';
async function run(label, input, extra = {}) {
  const out = [];
  const p = parse({ delimiter: ';', relax_column_count: true, skip_records_with_error: true, relax_quotes: true, on_record: (r, ctx) => { out.push(`${ctx.lines}:${JSON.stringify(r)}`); return null; }, on_skip: (err, raw) => out.push(`SKIP ${err.code} lines=${err.lines} ${err.message} raw=${JSON.stringify(raw)}`), ...extra });
  p.on('error', (e) => out.push('ERROR ' + e.code + ' ' + e.message));
  p.write(input); p.end(); p.resume();
  await new Promise((r) => { p.on('end', r); p.on('close', r); });
  console.log(label, out);
}
await run('LF', 'phone;name\n+48 601;"Jan\nKowalski"\n\n602;Ala\n;;\n"603";"x;y"\n604;last');
await run('CRLF', 'phone;name\r\n+48 601;"Jan\r\nKowalski"\r\n\r\n602;Ala\r\n');
await run('badquote', 'phone;name\r\n601;"Jan "Johnny" K"\r\n602;Ala\r\n603;"x\r\n');
await run('quote in unquoted', 'phone;name\r\n601;Jan "Johnny" K\r\n602;Ala\r\n');
await run('unclosed', 'phone;name\r\n601;"Jan\r\n602;Ala\r\n603;Ola\r\n');
await run('CR only', 'phone;name\r601;a\r602;b\r');
await run('mixed', 'phone;name\n601;a\r\n602;b\n');
