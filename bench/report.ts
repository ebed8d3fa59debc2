import { BatchWriteCommand, type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { AnswerStore } from '../functions/adapters/answer-store.ts';
import { ReportStore } from '../functions/adapters/report-store.ts';
import type { MultipartObjectWriter } from '../functions/adapters/reports-bucket.ts';
import { countersUpdateOfBucket } from '../functions/adapters/run-counters.ts';
import { contactKey, RUN_BUCKET_NUMBERS, RUN_BUCKETS, runKey } from '../functions/core/keys.ts';
import { buildRunSummary, REACHED_STATUSES, type ReportQuestion } from '../functions/core/report/summary.ts';
import { exportContacts } from '../functions/use-cases/reports/export-contacts.ts';
import { startBenchTable } from './local-table.ts';

const CAMPAIGN = 'bench-report';
const DATE = '2026-11-23';
const QUESTIONS: ReportQuestion[] = [
  { id: 'q1', prompt: 'Satisfied?', keys: { '1': 'Yes', '2': 'No' } },
  { id: 'q2', prompt: 'Recommend?', keys: { '1': 'Yes', '2': 'No', '3': 'Maybe' } },
];
const STATUSES = ['COMPLETED', 'COMPLETED', 'PARTIAL', 'NO_ANSWER', 'BUSY', 'VOICEMAIL', 'EXPIRED', 'OPTED_OUT'];
/** Concurrent BatchWriteItem calls while seeding: DynamoDB Local (not Node) is the bottleneck, it wants many. */
const WRITERS = 64;

const phoneOf = (index: number) => `+48${String(500_000_000 + index)}`;
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

function contactItem(index: number) {
  const status = STATUSES[index % STATUSES.length] ?? 'EXPIRED';
  const attempts = (index % 3) + 1;
  const answered = status === 'COMPLETED' || status === 'PARTIAL';
  return {
    ...contactKey(CAMPAIGN, DATE, phoneOf(index)),
    status,
    attempts,
    attemptLog: Array.from({ length: attempts }, (_, n) => ({
      n: n + 1,
      at: new Date(Date.UTC(2026, 10, 23, 8, n * 30)).toISOString(),
      outcome: n + 1 === attempts ? status : 'NO_ANSWER',
    })),
    timeZone: 'Europe/Warsaw',
    name: `Contact ${index}`,
    externalId: `X-${index}`,
    attributes: { region: index % 2 === 0 ? 'north' : 'south', plan: '=gold' },
    answers: answered
      ? { q1: String((index % 2) + 1), ...(status === 'COMPLETED' && { q2: String((index % 3) + 1) }) }
      : {},
  };
}

/** Counters of contacts `from … to-1`, as the engine's transactions would have added them. */
function countersOf(from: number, to: number): Record<string, number> {
  const counters: Record<string, number> = {};
  const add = (name: string, value = 1) => {
    counters[name] = (counters[name] ?? 0) + value;
  };
  for (let index = from; index < to; index++) {
    const item = contactItem(index);
    add('contacts');
    add(`n_${item.status}`);
    add(`t_${item.attempts}`);
    add('attemptsStarted', item.attempts);
    add('attemptsEnded', item.attempts);
    add(`o_${item.status}`);
    add('o_NO_ANSWER', item.attempts - 1);
    for (const [question, key] of Object.entries(item.answers)) {
      add(`a_${question}_${key}`);
      add('answersTotal');
    }
    if (item.status === 'COMPLETED' || item.status === 'PARTIAL') {
      add('answeredCalls');
      add('talkSeconds', 40);
    }
    if ((REACHED_STATUSES as readonly string[]).includes(item.status)) add('contactsReached');
  }
  return counters;
}

/** Writes contacts `from … to-1` and their counters; returns how long it took, in seconds. */
async function seed(client: DynamoDBDocumentClient, tableName: string, from: number, to: number): Promise<number> {
  const started = performance.now();
  let next = from;
  const writer = async () => {
    while (next < to) {
      const batch = Array.from({ length: Math.min(25, to - next) }, (_, offset) => contactItem(next + offset));
      next += batch.length;
      let requests: Record<string, unknown>[] = batch.map((Item) => ({ PutRequest: { Item } }));
      while (requests.length > 0) {
        const output = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests as never } }));
        requests = (output.UnprocessedItems?.[tableName] as Record<string, unknown>[] | undefined) ?? [];
      }
    }
  };
  await Promise.all(Array.from({ length: WRITERS }, writer));
  // The seeded contacts' counters, spread over the run's buckets as the engine spreads them, and the run item.
  const counters = countersOf(from, to);
  await client.send(
    new UpdateCommand({
      TableName: tableName,
      Key: runKey(CAMPAIGN, DATE),
      UpdateExpression: 'SET #status = :status',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':status': 'RUNNING' },
    }),
  );
  await Promise.all(
    RUN_BUCKET_NUMBERS.map((bucket) => {
      const share = Object.fromEntries(
        Object.entries(counters).map(([name, value]) => [
          name,
          Math.floor(value / RUN_BUCKETS) + (bucket < value % RUN_BUCKETS ? 1 : 0),
        ]),
      );
      const nonZero = Object.fromEntries(Object.entries(share).filter(([, value]) => value !== 0));
      if (Object.keys(nonZero).length === 0) return Promise.resolve();
      return client.send(new UpdateCommand(countersUpdateOfBucket(tableName, CAMPAIGN, DATE, bucket, nonZero).Update));
    }),
  );
  return (performance.now() - started) / 1000;
}

interface Latency {
  p50: number;
  p95: number;
  max: number;
}

/** Latency of the summary: the run item and its bucket counters (two reads in parallel) + the builder. */
async function summaryLatency(store: ReportStore): Promise<Latency> {
  const times: number[] = [];
  for (let round = 0; round < 60; round++) {
    const started = performance.now();
    const run = await store.runCounters(CAMPAIGN, DATE);
    buildRunSummary(run?.counters ?? {}, QUESTIONS);
    if (round >= 10) times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const at = (share: number) => times[Math.min(times.length - 1, Math.floor(times.length * share))] ?? 0;
  return { p50: at(0.5), p95: at(0.95), max: times.at(-1) ?? 0 };
}

const formatLatency = (latency: Latency) =>
  `p50 ${latency.p50.toFixed(1)} ms, p95 ${latency.p95.toFixed(1)} ms, max ${latency.max.toFixed(1)} ms`;

async function exportRun(
  store: ReportStore,
): Promise<{ rows: number; rowsPerSecond: number; bytes: number; peakRss: number; peakHeap: number }> {
  let bytes = 0;
  const discard = {
    writer: () =>
      ({
        bytes: 0,
        async write(chunk: string | Uint8Array) {
          bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
        },
        async close() {},
        async abort() {},
      }) as unknown as MultipartObjectWriter,
  };
  globalThis.gc?.();
  let peakRss = process.memoryUsage().rss;
  let peakHeap = process.memoryUsage().heapUsed;
  const sampler = setInterval(() => {
    const usage = process.memoryUsage();
    peakRss = Math.max(peakRss, usage.rss);
    peakHeap = Math.max(peakHeap, usage.heapUsed);
  }, 20);
  const started = performance.now();
  try {
    const result = await exportContacts(store, discard, {
      campaignId: CAMPAIGN,
      date: DATE,
      format: 'csv',
      questions: QUESTIONS,
      filters: [],
    });
    return {
      rows: result.rows,
      rowsPerSecond: (result.rows / (performance.now() - started)) * 1000,
      bytes,
      peakRss,
      peakHeap,
    };
  } finally {
    clearInterval(sampler);
  }
}

async function freshness(answers: AnswerStore, store: ReportStore, index: number): Promise<number> {
  const before = (await store.runCounters(CAMPAIGN, DATE))?.counters.answersTotal ?? 0;
  const started = performance.now();
  await answers.record({
    ref: { campaignId: CAMPAIGN, date: DATE, phone: phoneOf(index), attempt: 9 },
    questionId: 'q1',
    key: '1',
    label: 'Yes',
    scriptVersion: 1,
    answeredAt: new Date(),
    connectContactId: `bench-${index}`,
    progress: { attempt: 9, questionsAnswered: 1, completed: false, optedOut: false },
  });
  while (performance.now() - started < 10_000) {
    const run = await store.runCounters(CAMPAIGN, DATE);
    const summary = buildRunSummary(run?.counters ?? {}, QUESTIONS);
    if (summary.answersTotal > before) return performance.now() - started;
  }
  throw new Error('the answer did not reach the summary within 10 s');
}

/** `npm run bench -- report [contacts]`. */
export async function run(args: readonly string[]): Promise<void> {
  const contacts = Number(args[0] ?? 100_000);
  const port = Number(process.env.BENCH_DYNAMODB_PORT ?? 28_110);
  const { client, tableName, stop } = await startBenchTable(port, 'report');
  try {
    const store = new ReportStore(tableName, client);
    const answers = new AnswerStore(tableName, 1, client);
    const lines: string[] = [`report benchmark: ${contacts.toLocaleString('en')} contacts in DynamoDB Local`];
    let seeded = 0;
    let seedingSeconds = 0;
    for (const size of [Math.ceil(contacts / 10), contacts]) {
      const seconds = await seed(client, tableName, seeded, size);
      const rate = (size - seeded) / seconds;
      seeded = size;
      seedingSeconds += seconds;
      const report = (line: string) => {
        lines.push(line);
        console.log(line);
      };
      report(
        `at ${size.toLocaleString('en')} contacts (seeded at ${Math.round(rate).toLocaleString('en')}/s; ` +
          `seeding so far ${seedingSeconds.toFixed(1)} s):`,
      );
      const latency = await summaryLatency(store);
      report(`  summary latency (run item counters + builder) ${formatLatency(latency)} (target ≤ 50 ms)`);
      const fresh = await freshness(answers, store, size - 1);
      report(`  answer-to-summary freshness ${fresh.toFixed(1)} ms (target ≤ 1,000 ms)`);
      const exported = await exportRun(store);
      report(
        `  export ${exported.rows.toLocaleString('en')} rows at ${Math.round(exported.rowsPerSecond).toLocaleString('en')} rows/s, ${mib(exported.bytes)} CSV, peak RSS ${mib(exported.peakRss)}, peak heap ${mib(exported.peakHeap)}`,
      );
    }
    console.log('---');
    console.log(lines.join('\n'));
  } finally {
    await stop();
  }
}
