const N = 1_000_000;
const keys = Array.from({ length: N }, (_, i) => Number('48' + (600000000 + ((i * 7919113) % 100000000))));
for (let k = 0; k < 2; k++) {
  let t = performance.now();
  const m = new Map();
  for (let i = 0; i < N; i++) { if (m.get(keys[i]) === undefined) m.set(keys[i], i + 2); }
  console.log('Map', (performance.now() - t).toFixed(0), 'ms');
  t = performance.now();
  let cap = 1 << 16, mask = cap - 1, size = 0, K = new Float64Array(cap), V = new Int32Array(cap);
  function hash(x) { const lo = x % 4294967296 | 0; const hi = (x / 4294967296) | 0; let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b); h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35); return (h ^ (h >>> 16)) >>> 0; }
  function grow() { const oK = K, oV = V; cap *= 2; mask = cap - 1; K = new Float64Array(cap); V = new Int32Array(cap); for (let i = 0; i < oK.length; i++) if (oV[i] !== 0) { let j = hash(oK[i]) & mask; while (V[j] !== 0) j = (j + 1) & mask; K[j] = oK[i]; V[j] = oV[i]; } }
  function getOrSet(x, line) { let j = hash(x) & mask; while (V[j] !== 0) { if (K[j] === x) return V[j]; j = (j + 1) & mask; } K[j] = x; V[j] = line; if (++size * 2 > cap) grow(); return 0; }
  for (let i = 0; i < N; i++) getOrSet(keys[i], i + 2);
  console.log('typed', (performance.now() - t).toFixed(0), 'ms', size);
}
