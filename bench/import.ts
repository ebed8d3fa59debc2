import { Readable } from 'node:stream';
import { ContactWriter } from '../functions/adapters/contact-writer.ts';
import { DoNotCallStore } from '../functions/adapters/do-not-call-store.ts';
import { ListStore } from '../functions/adapters/list-store.ts';
import { RunCounters } from '../functions/adapters/run-counters.ts';
import { parseCampaign } from '../functions/core/campaign.ts';
import { newListId } from '../functions/core/import/list-id.ts';
import { listObjectKey } from '../functions/core/keys.ts';
import { ListImports } from '../functions/use-cases/import/list-intake.ts';
import { benchImportParse } from './import-parse.ts';
import { startBenchTable } from './local-table.ts';

export interface ImportEndToEndResult {
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  /** Of `seconds`: the check pass (the whole file read once before anything is written). */
  checkSeconds: number;
  baselineRssBytes: number;
  peakRssBytes: number;
  summary: { rows: number; accepted: number; rejected: number; duplicates: number; suppressed: number };
}

/** Rows imported end to end unless told otherwise. */
export const DEFAULT_END_TO_END_ROWS = 200_000;

const PREFIXES = ['50', '51', '53', '57', '60', '66', '69', '72', '73', '78', '79', '88'];
const NAMES = ['Anna Nowak', 'Jan Kowalski', 'Ewa Wiśniewska', 'Piotr Wójcik', 'Tomasz Kamiński'];

/** The `index`-th distinct Polish mobile number, as 9 national digits (same scheme as `import-parse.ts`). */
function nationalNumber(index: number): string {
  const prefix = PREFIXES[index % PREFIXES.length] ?? '60';
  const suffix = (Math.floor(index / PREFIXES.length) * 7_919_113) % 10_000_000;
  return `${prefix}${String(suffix).padStart(7, '0')}`;
}

/** A list of `rows` rows, 64 KiB per chunk: ~1 % duplicates, ~1 % invalid numbers, 0.1 % on the do-not-call list. */
async function* generateList(rows: number): AsyncGenerator<Buffer> {
  yield Buffer.from('\uFEFFphone;name;external_id;segment\r\n');
  let text = '';
  for (let index = 0; index < rows; index++) {
    const phone =
      index % 100 === 37
        ? `+48${nationalNumber(index - 30)}`
        : index % 100 === 71
          ? nationalNumber(index).slice(0, 8)
          : `+48 ${nationalNumber(index).replace(/(\d{3})(\d{3})(\d{3})/, '$1 $2 $3')}`;
    text += `${phone};${NAMES[index % NAMES.length]};C-${index};${index % 3 === 0 ? 'gold' : 'silver'}\r\n`;
    if (text.length >= 64 * 1024) {
      yield Buffer.from(text);
      text = '';
    }
  }
  if (text !== '') yield Buffer.from(text);
}

/**
 * Starts DynamoDB Local, imports a generated `rows`-row list through the production code path, prints and returns
 * throughput and peak memory, and stops DynamoDB Local.
 */
export async function benchImportEndToEnd(
  rows = DEFAULT_END_TO_END_ROWS,
  port = Number(process.env.BENCH_DYNAMODB_PORT ?? 28_100),
): Promise<ImportEndToEndResult> {
  const { client, tableName, stop } = await startBenchTable(port, 'import');
  try {
    const date = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const campaign = parseCampaign({
      id: 'bench',
      name: 'Benchmark',
      defaultCountry: 'PL',
      timeZone: 'Europe/Warsaw',
      callerId: '+48221234567',
      callingWindow: { days: ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'], start: '08:00', end: '21:00' },
      script: {
        greeting: 'Hello.',
        questions: [{ id: 'q1', prompt: 'Press 1.', keys: { '1': 'Yes' } }],
        closing: 'Bye.',
      },
    });
    const records = new ListStore(tableName, 1, client);
    const doNotCall = new DoNotCallStore(tableName, client);
    await doNotCall.add(
      Array.from({ length: Math.ceil(rows / 1000) }, (_, index) => `+48${nationalNumber(index * 1000 + 5)}`),
      'upload',
      new Date(),
    );
    const listId = newListId(date);
    const objectKey = listObjectKey(campaign.id, date, listId, 'csv');
    let rejectedBytes = 0;
    let opened = 0;
    const imports = new ListImports({
      records,
      campaigns: { get: async () => ({ campaign }) },
      contacts: new ContactWriter(tableName, 1, client),
      doNotCall,
      files: {
        presignPut: async () => '',
        put: async () => undefined,
        open: async () => {
          opened++;
          return Readable.from(generateList(rows));
        },
        rejectedRowsUpload: async () => ({
          write: async (text: string) => {
            rejectedBytes += text.length;
          },
          finish: async () => undefined,
          discard: async () => undefined,
        }),
      },
    });
    await records.create({
      campaignId: campaign.id,
      date,
      listId,
      status: 'AWAITING_UPLOAD',
      source: 'upload-url',
      format: 'csv',
      objectKey,
      createdAt: new Date(),
    });

    global.gc?.();
    const baselineRssBytes = process.memoryUsage().rss;
    let peakRssBytes = baselineRssBytes;
    let checkEndedAt: number | undefined;
    const timer = setInterval(() => {
      peakRssBytes = Math.max(peakRssBytes, process.memoryUsage().rss);
      if (opened >= 2 && checkEndedAt === undefined) checkEndedAt = performance.now();
    }, 50);
    const started = performance.now();
    const outcome = await imports.importUploaded(objectKey, 0);
    const seconds = (performance.now() - started) / 1000;
    clearInterval(timer);
    if (outcome.outcome !== 'DONE') throw new Error(`the import ended ${outcome.outcome}`);
    const record = await records.get({ campaignId: campaign.id, date, listId });
    const summary = record?.summary;
    if (summary === undefined) throw new Error('the list has no summary');
    const run = await new RunCounters(tableName, client).totals(campaign.id, date);
    if (Number(run.n_PENDING) !== summary.accepted) {
      throw new Error(`the run counts ${String(run.n_PENDING)} pending contacts, the summary ${summary.accepted}`);
    }

    const checkSeconds = checkEndedAt === undefined ? 0 : (checkEndedAt - started) / 1000;
    const result: ImportEndToEndResult = {
      rows: summary.rows,
      seconds,
      rowsPerSecond: Math.round(summary.rows / seconds),
      checkSeconds,
      baselineRssBytes,
      peakRssBytes,
      summary: {
        rows: summary.rows,
        accepted: summary.accepted,
        rejected: summary.rejected,
        duplicates: summary.duplicates,
        suppressed: summary.suppressed,
      },
    };
    const mib = (value: number) => `${(value / 1024 / 1024).toFixed(0)} MiB`;
    console.log(
      [
        `import end to end (DynamoDB Local): ${summary.rows.toLocaleString('en')} rows in ${seconds.toFixed(1)} s = ` +
          `${result.rowsPerSecond.toLocaleString('en')} rows/s (check pass ${checkSeconds.toFixed(1)} s, then writing ` +
          `${Math.round(summary.rows / (seconds - checkSeconds)).toLocaleString('en')} rows/s)`,
        `  accepted ${summary.accepted}, rejected ${summary.rejected}, duplicates ${summary.duplicates}, ` +
          `suppressed ${summary.suppressed}; run counter n_PENDING = ${String(run?.n_PENDING)}; ` +
          `rejected-rows CSV ${(rejectedBytes / 1024).toFixed(0)} KiB`,
        `  peak RSS ${mib(peakRssBytes)} (${mib(baselineRssBytes)} before the import)`,
      ].join('\n'),
    );
    return result;
  } finally {
    await stop();
  }
}

/** `npm run bench -- import [rows] [end-to-end rows]`. */
export async function run(args: readonly string[]): Promise<void> {
  const [parseRows, endToEndRows] = args.map(Number);
  for (const value of [parseRows, endToEndRows]) {
    if (value !== undefined && !(Number.isInteger(value) && value > 0)) {
      throw new Error(`usage: npm run bench -- import [rows] [end-to-end rows]; got "${args.join(' ')}"`);
    }
  }
  await benchImportParse(parseRows);
  await benchImportEndToEnd(endToEndRows ?? DEFAULT_END_TO_END_ROWS);
}
