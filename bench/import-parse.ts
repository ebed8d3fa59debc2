/**
 * Benchmark: parse + validate a generated CSV list, as the daily import does, and report rows/s and peak memory.
 *
 * The list is generated on the fly as a stream (never held in memory): Excel-style UTF-8 with BOM, `;` delimiter,
 * CRLF, numbers spelled `+48 601 234 567`, `0048601234567`, `601-234-567`, `(601) 234 567`, quoted names with the
 * delimiter inside, about 1 % duplicates, 1 % invalid numbers and a blank line every 1,000 rows.
 *
 * Run: `node bench/import-parse.ts [rows]` (default 1,000,000).
 */
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { ImportSummariser, type ImportSummary } from '../functions/core/import/import-summary.ts';
import { readList } from '../functions/core/import/list-reader.ts';
import { normalisePhone, normalisePhoneWithLibrary } from '../functions/core/import/phone.ts';

export interface ImportParseResult {
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  /**
   * Rows per second of CPU time used by the process (all its threads, the garbage collector's too): steadier than
   * `rowsPerSecond` on a machine other work shares, which stretches the wall-clock time but not this.
   */
  rowsPerCpuSecond: number;
  /** Generating the CSV alone, to tell its share of the time. */
  generatorSeconds: number;
  bytes: number;
  /** RSS once the modules are loaded, before the list is read. */
  baselineRssBytes: number;
  peakRssBytes: number;
  peakHeapUsedBytes: number;
  summary: ImportSummary;
  /**
   * Phone normalisation alone, numbers per second: the fast path, libphonenumber-js for every number, and the fast
   * path on messier spellings (labels, `(+48)`, Unicode spaces, extensions, notes, two numbers).
   */
  phonesPerSecond: { fastPath: number; libraryOnly: number; messy: number };
}

const MOBILE_PREFIXES = ['50', '51', '53', '57', '60', '66', '69', '72', '73', '78', '79', '88'];
const FIRST_NAMES = ['Anna', 'Jan', 'Małgorzata', 'Piotr', 'Katarzyna', 'Krzysztof', 'Agnieszka', 'Tomasz', 'Ewa'];
const LAST_NAMES = ['Nowak', 'Kowalski', 'Wiśniewska', 'Wójcik', 'Kamiński', 'Lewandowska', 'Zieliński', 'Szymańska'];
const CITIES = ['Warszawa', 'Kraków', 'Łódź', 'Wrocław', 'Poznań', 'Gdańsk', 'Szczecin', 'Bydgoszcz'];
const SEGMENTS = ['gold', 'silver', 'bronze', 'new'];

/** The `index`-th distinct Polish mobile number, as 9 national digits. */
function nationalNumber(index: number): string {
  const prefix = MOBILE_PREFIXES[index % MOBILE_PREFIXES.length] ?? '60';
  // An odd multiplier modulo 10^7 visits every 7-digit suffix once: unique numbers without a sequential pattern.
  const suffix = (Math.floor(index / MOBILE_PREFIXES.length) * 7_919_113) % 10_000_000;
  return `${prefix}${String(suffix).padStart(7, '0')}`;
}

function spelled(national: string, style: number): string {
  const [a, b, c] = [national.slice(0, 3), national.slice(3, 6), national.slice(6)];
  switch (style % 5) {
    case 0:
      return `+48 ${a} ${b} ${c}`;
    case 1:
      return `0048${national}`;
    case 2:
      return `${a}-${b}-${c}`;
    case 3:
      return `(${a}) ${b} ${c}`;
    default:
      return `+48${national}`;
  }
}

function row(index: number): string {
  let phone: string;
  if (index % 100 === 37) {
    phone = spelled(nationalNumber(index - 30), index); // duplicate of an earlier row
  } else if (index % 100 === 71) {
    phone = `${nationalNumber(index).slice(0, 8)}`; // one digit short
  } else {
    phone = spelled(nationalNumber(index), index);
  }
  const first = FIRST_NAMES[index % FIRST_NAMES.length] ?? '';
  const last = LAST_NAMES[index % LAST_NAMES.length] ?? '';
  const name = index % 10 === 0 ? `"${last}; ${first}"` : `${first} ${last}`;
  const blank = index % 1000 === 999 ? '\r\n' : '';
  return `${phone};${name};C-${index};${SEGMENTS[index % SEGMENTS.length]};${CITIES[index % CITIES.length]}\r\n${blank}`;
}

/** The list as a stream of ~64 KiB chunks, generated as it is read; `onChunk` runs after every 8th. */
async function* generateCsv(rows: number, onChunk: () => void): AsyncGenerator<Buffer> {
  yield Buffer.from('\uFEFFphone;name;external_id;segment;city\r\n');
  let text = '';
  let chunks = 0;
  for (let index = 0; index < rows; index++) {
    text += row(index);
    if (text.length >= 64 * 1024) {
      yield Buffer.from(text);
      text = '';
      if (++chunks % 8 === 0) {
        onChunk();
      }
    }
  }
  if (text !== '') {
    yield Buffer.from(text);
  }
}

/** The `index`-th number written the messier ways exports have: labels, `(+48)`, Unicode spaces, notes, … */
function messy(national: string, index: number): string {
  const [a, b, c] = [national.slice(0, 3), national.slice(3, 6), national.slice(6)];
  switch (index % 8) {
    case 0:
      return `(+48) ${a} ${b} ${c}`;
    case 1:
      return `tel. ${a}-${b}-${c}`;
    case 2:
      return `${a}\u202f${b}\u202f${c}`;
    case 3:
      return `Tel.: +48\u00a0${a}\u00a0${b}\u00a0${c}`;
    case 4:
      return `${a} ${b} ${c} wew. 12`;
    case 5:
      return `${a} ${b} ${c}; 60${c}${b.slice(1)}`;
    case 6:
      return `${a} ${b} ${c} (mama)`;
    default:
      return `＋４８ ${a} ${b} ${c}`;
  }
}

function phonesPerSecond(
  normalise: typeof normalisePhone,
  count: number,
  write: (national: string, index: number) => string = spelled,
): number {
  const inputs = Array.from({ length: count }, (_, index) => write(nationalNumber(index), index));
  const started = performance.now();
  for (const input of inputs) {
    normalise(input, 'PL', { allowPremium: false });
  }
  return Math.round(count / ((performance.now() - started) / 1000));
}

/**
 * Generates a `rows`-row list, reads it with `readList`, and prints and returns throughput and peak memory.
 * Memory is sampled every 8 generated chunks (512 KiB) and every 100 ms.
 */
export async function benchImportParse(rows = 1_000_000): Promise<ImportParseResult> {
  let peakRssBytes = 0;
  let peakHeapUsedBytes = 0;
  const sample = () => {
    const usage = process.memoryUsage();
    peakRssBytes = Math.max(peakRssBytes, usage.rss);
    peakHeapUsedBytes = Math.max(peakHeapUsedBytes, usage.heapUsed);
  };

  let bytes = 0;
  const generatorStarted = performance.now();
  for await (const chunk of generateCsv(rows, () => {})) {
    bytes += chunk.length;
  }
  const generatorSeconds = (performance.now() - generatorStarted) / 1000;

  const phoneCount = Math.min(rows, 200_000);
  phonesPerSecond(normalisePhone, 20_000); // warm-up
  const phones = {
    fastPath: phonesPerSecond(normalisePhone, phoneCount),
    libraryOnly: phonesPerSecond(normalisePhoneWithLibrary, phoneCount),
    messy: phonesPerSecond(normalisePhone, phoneCount, messy),
  };

  const baselineRssBytes = process.memoryUsage().rss;
  sample();
  const timer = setInterval(sample, 100);
  const cpuStarted = process.cpuUsage();
  const started = performance.now();
  const { rows: results } = await readList(
    Readable.from(generateCsv(rows, sample)),
    'csv',
    {
      defaultCountry: 'PL',
      timeZone: 'Europe/Warsaw',
      import: { phoneColumns: ['phone'], allowPremium: false },
    },
    { maxRows: rows },
  );
  const summariser = new ImportSummariser();
  for await (const result of results) {
    summariser.add(result);
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStarted);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  clearInterval(timer);
  sample();

  const summary = summariser.summary();
  const result: ImportParseResult = {
    rows: summary.rows,
    seconds,
    rowsPerSecond: Math.round(summary.rows / seconds),
    rowsPerCpuSecond: Math.round(summary.rows / cpuSeconds),
    generatorSeconds,
    bytes,
    baselineRssBytes,
    peakRssBytes,
    peakHeapUsedBytes,
    summary,
    phonesPerSecond: phones,
  };
  const mib = (value: number) => `${(value / 1024 / 1024).toFixed(0)} MiB`;
  console.log(
    [
      `import-parse: ${summary.rows.toLocaleString('en')} rows (${mib(bytes)}) in ${seconds.toFixed(2)} s = ` +
        `${result.rowsPerSecond.toLocaleString('en')} rows/s (generating the CSV alone: ${generatorSeconds.toFixed(2)} s)`,
      `  CPU time ${cpuSeconds.toFixed(2)} s = ${result.rowsPerCpuSecond.toLocaleString('en')} rows per CPU second`,
      `  accepted ${summary.accepted}, rejected ${summary.rejected}, duplicates ${summary.duplicates}`,
      `  peak RSS ${mib(peakRssBytes)} (${mib(baselineRssBytes)} before reading), peak heap used ${mib(peakHeapUsedBytes)}`,
      `  phone normalisation alone: ${phones.fastPath.toLocaleString('en')}/s with the fast path, ` +
        `${phones.libraryOnly.toLocaleString('en')}/s with libphonenumber-js for every number, ` +
        `${phones.messy.toLocaleString('en')}/s for messier spellings (labels, (+48), thin spaces, notes…)`,
    ].join('\n'),
  );
  return result;
}

/** `npm run bench -- import-parse [rows]`: the parse-and-validate half of `import` alone, without the local table. */
export async function run(args: readonly string[]): Promise<void> {
  const rows = args[0] === undefined ? undefined : Number(args[0]);
  if (rows !== undefined && !(Number.isInteger(rows) && rows > 0)) {
    throw new Error(`usage: npm run bench -- import-parse [rows]; got "${args.join(' ')}"`);
  }
  await benchImportParse(rows);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run(process.argv.slice(2));
}
