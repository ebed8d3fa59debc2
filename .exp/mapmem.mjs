const kind = process.argv[2];
global.gc(); const before = process.memoryUsage().heapUsed;
const m = new Map();
for (let i = 0; i < 1_000_000; i++) {
  const e164 = '+48' + (600000000 + i * 7);
  if (kind === 'str') m.set(e164, i + 2);
  else m.set(Number(e164.slice(1)), i + 2);
}
global.gc(); const after = process.memoryUsage().heapUsed;
console.log(kind, m.size, ((after - before) / 1e6).toFixed(1), 'MB', ((after - before) / m.size).toFixed(0), 'B/entry');
