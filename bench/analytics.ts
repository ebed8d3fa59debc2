/**
 * `npm run bench -- analytics [attempts]`: the analytics figures issue 21 asks for, on this machine.
 *
 * 1. Builds `attempts` (default 10,000,000) attempts with their answers, finished contacts and follow-ups over
 *    5 campaigns and 30 days, compacted (one segment per table and partition), into a local S3 (s3rver); kept
 *    under .local/bench-analytics/ and reused while the size is the same.
 * 2. Each named analysis: p50 through the engine path (the use case, the Athena SDK adapter, the local Athena
 *    endpoint, its DuckDB) against the same SQL run directly on DuckDB over the same files, their ratio, the bytes
 *    Athena would scan and the price at $5 per TB with the 10 MB minimum.
 * 3. Pipeline throughput: contacts and answers written to DynamoDB Local, read from its stream by the local
 *    poller, turned into Parquet by the stream consumer (invoked as Lambda would, in this process), in facts/s.
 * 4. Freshness: an answer recorded (the record-answer transaction) until the `answers` analysis counts it.
 */

import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { AthenaClient } from '@aws-sdk/client-athena';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { BatchWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DuckDBInstance } from '@duckdb/node-api';
import S3rver from 's3rver';
import { filesTableInput, viewTableInput } from '../config/analytics-catalog.cjs';
import { AthenaQueries } from '../functions/adapters/athena-queries.ts';
import { encodeFacts } from '../functions/adapters/fact-files.ts';
import {
  type AnalysisName,
  AnalysisParametersSchema,
  analysisSql,
  resolveAnalysis,
} from '../functions/core/analytics/analyses.ts';
import { segmentFileName } from '../functions/core/analytics/fact-files.ts';
import {
  FACT_TABLE_NAMES,
  type FactTableName,
  LATEST_ANSWERS,
  partitionPrefix,
  STORED_TABLE_NAMES,
} from '../functions/core/analytics/fact-tables.ts';
import { contactKeyNumber, type FactRow, newContactKey } from '../functions/core/analytics/facts.ts';
import { latestAnswerRows } from '../functions/core/analytics/latest-answers.ts';
import { type Campaign, parseCampaign } from '../functions/core/campaign.ts';
import { answerKey, contactKey } from '../functions/core/keys.ts';
import { runAnalysis } from '../functions/use-cases/analytics/run-analysis.ts';
import { buildCatalog, GlueTableInputSchema } from '../local/athena/catalog.ts';
import { startAthenaEndpoint } from '../local/athena/endpoint.ts';
import { startStreamPollers } from '../local/stream-poller.ts';
import { startBenchTable } from './local-table.ts';

const ROOT = resolve(import.meta.dirname, '..');
const STATE = join(ROOT, '.local', 'bench-analytics');
const BUCKET = 'bench-reports';
const DATABASE = 'campaign_engine_bench';
const WORKGROUP = 'bench-analytics';
const CAMPAIGNS = ['flu-north', 'flu-south', 'covid-booster', 'screening', 'reminder'];
const DAYS = 30;
const FIRST_DAY = Date.UTC(2026, 9, 1);
const S3_PORT = 24_600;
const DYNAMODB_PORT = 28_600;
const RUNS = 7;

const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const dateOf = (day: number) => new Date(FIRST_DAY + day * 86_400_000).toISOString().slice(0, 10);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))] ?? 0;

/** A small deterministic generator (mulberry32). */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const campaignOf = (id: string): Campaign =>
  parseCampaign({
    id,
    name: id,
    defaultCountry: 'PL',
    timeZone: 'Europe/Warsaw',
    callerId: '+48221234567',
    script: {
      greeting: 'Hello',
      closing: 'Goodbye',
      questions: [
        { id: 'q1', prompt: 'Vaccinated?', keys: { '1': 'Yes', '2': 'No' }, next: { '2': 'q2' } },
        { id: 'q2', prompt: 'Book one?', keys: { '1': 'Yes', '2': 'No' } },
      ],
    },
    followUps: [{ id: 'booking', when: { q2: ['1'] }, sms: 'Call us.' }],
    analytics: { dimensions: ['clinic', 'region'] },
  });

const OUTCOMES: Array<[string, number]> = [
  ['COMPLETED', 0.3],
  ['PARTIAL', 0.1],
  ['OPTED_OUT', 0.03],
  ['NO_ANSWER', 0.32],
  ['BUSY', 0.1],
  ['VOICEMAIL', 0.1],
  ['FAILED', 0.05],
];

/** One partition's facts: `attempts` attempts of contacts called up to 3 times, with their answers. */
function partitionFacts(campaignIndex: number, day: number, attempts: number): Record<FactTableName, FactRow[]> {
  const next = random(campaignIndex * 1_000 + day + 1);
  const rows: Record<FactTableName, FactRow[]> = { attempts: [], answers: [], contacts: [], follow_ups: [] };
  const date = dateOf(day);
  const weekday = ((new Date(`${date}T12:00:00Z`).getUTCDay() + 6) % 7) + 1;
  const recorded = new Date(`${date}T20:00:00Z`);
  const pick = () => {
    let roll = next();
    for (const [outcome, share] of OUTCOMES) {
      roll -= share;
      if (roll < 0) return outcome;
    }
    return 'NO_ANSWER';
  };
  while (rows.attempts.length < attempts) {
    const key = contactKeyNumber(newContactKey());
    const clinic = `clinic-${Math.floor(next() * 20)}`;
    const dims = {
      dim1_name: 'clinic',
      dim1: clinic,
      dim2_name: 'region',
      dim2: `region-${clinic.length % 4}`,
      dim3_name: null,
      dim3: null,
      dim4_name: null,
      dim4: null,
      list_id: `${date.replaceAll('-', '')}-00000000000000aa`,
      recorded_at: recorded,
    };
    let reachedAt: number | null = null;
    let last = '';
    let n = 0;
    const calls = Math.min(3, attempts - rows.attempts.length, 1 + Math.floor(next() * 3));
    for (n = 1; n <= calls; n++) {
      const outcome = pick();
      const hour = 8 + Math.floor(next() * 12);
      const calledAt = new Date(
        `${date}T${String(hour - 1).padStart(2, '0')}:${String(Math.floor(next() * 60)).padStart(2, '0')}:00Z`,
      );
      const reached = outcome === 'COMPLETED' || outcome === 'PARTIAL' || outcome === 'OPTED_OUT';
      const final = outcome === 'COMPLETED' || outcome === 'OPTED_OUT' || n === calls;
      if (reached && reachedAt === null) reachedAt = n;
      last = outcome;
      rows.attempts.push({
        contact_key: key,
        attempt: n,
        called_at: calledAt,
        ended_at: new Date(calledAt.getTime() + 60_000),
        local_hour: hour,
        local_weekday: weekday,
        outcome,
        reached,
        first_reach: reached && reachedAt === n,
        ring_seconds: 12,
        talk_seconds: reached ? 45 : null,
        caller_id: '+48221234567',
        questions_answered: outcome === 'COMPLETED' ? 2 : outcome === 'PARTIAL' ? 1 : 0,
        script_completed: outcome === 'COMPLETED',
        opted_out: outcome === 'OPTED_OUT',
        final_status: final ? outcome : null,
        ...dims,
      });
      if (outcome === 'COMPLETED' || outcome === 'PARTIAL') {
        const q1 = next() < 0.55 ? '1' : '2';
        rows.answers.push({
          contact_key: key,
          attempt: n,
          question_id: 'q1',
          answer_key: q1,
          label: q1 === '1' ? 'Yes' : 'No',
          script_version: 1,
          answered_at: calledAt,
          ...dims,
        });
        if (outcome === 'COMPLETED' && q1 === '2') {
          const q2 = next() < 0.6 ? '1' : '2';
          rows.answers.push({
            contact_key: key,
            attempt: n,
            question_id: 'q2',
            answer_key: q2,
            label: q2 === '1' ? 'Yes' : 'No',
            script_version: 1,
            answered_at: calledAt,
            ...dims,
          });
          if (q2 === '1')
            rows.follow_ups.push({
              contact_key: key,
              rule_id: 'booking',
              status: next() < 0.98 ? 'SENT' : 'FAILED',
              at: calledAt,
              ...dims,
            });
        }
      }
      if (final) break;
    }
    rows.contacts.push({
      contact_key: key,
      final_status: last,
      attempts: Math.min(n, calls),
      last_outcome: last,
      reached: reachedAt !== null,
      first_reach_attempt: reachedAt,
      opted_out: last === 'OPTED_OUT',
      first_called_hour: 9,
      first_called_weekday: weekday,
      ...dims,
    });
  }
  return rows;
}

async function buildData(s3: S3Client, attempts: number): Promise<void> {
  const marker = join(STATE, 'built.json');
  // `latest`: data built with the latest-answers snapshots compaction writes (older data is rebuilt).
  const built = existsSync(marker) ? JSON.parse(readFileSync(marker, 'utf8')) : {};
  if (built.attempts === attempts && built.latest === true) {
    console.log(`data: reusing ${attempts.toLocaleString('en-US')} attempts in ${STATE}`);
    return;
  }
  rmSync(join(STATE, 's3'), { recursive: true, force: true });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  const started = performance.now();
  const perPartition = Math.ceil(attempts / (CAMPAIGNS.length * DAYS));
  const totals: Record<FactTableName, number> = { attempts: 0, answers: 0, contacts: 0, follow_ups: 0 };
  for (const [campaignIndex, campaign] of CAMPAIGNS.entries()) {
    for (let day = 0; day < DAYS; day++) {
      const facts = partitionFacts(campaignIndex, day, perPartition);
      for (const table of FACT_TABLE_NAMES) {
        totals[table] += facts[table].length;
        await s3.send(
          new PutObjectCommand({
            Bucket: BUCKET,
            Key: `${partitionPrefix(table, campaign, dateOf(day))}${segmentFileName(Date.parse(`${dateOf(day)}T22:00:00Z`), 'bench')}`,
            Body: encodeFacts(table, facts[table]),
          }),
        );
      }
      // The snapshot compaction writes before the answer segment (a minute earlier, as its time is now).
      await s3.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: `${partitionPrefix(LATEST_ANSWERS, campaign, dateOf(day))}${segmentFileName(Date.parse(`${dateOf(day)}T21:59:00Z`), 'bench')}`,
          Body: encodeFacts(LATEST_ANSWERS, latestAnswerRows(facts.answers)),
        }),
      );
    }
    console.log(`data: ${campaign} written (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  }
  writeFileSync(marker, JSON.stringify({ attempts, latest: true, totals }));
  console.log(`data: ${JSON.stringify(totals)} in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

const catalogSettings = { bucket: BUCKET, database: DATABASE, retentionDays: 3650 };
const catalog = {
  database: DATABASE,
  tables: STORED_TABLE_NAMES.flatMap((table) => [
    GlueTableInputSchema.parse(filesTableInput(table, catalogSettings)),
    GlueTableInputSchema.parse(viewTableInput(table, catalogSettings)),
  ]),
};

const BENCHED: Array<{ analysis: AnalysisName; query: Record<string, string> }> = [
  { analysis: 'outcomes', query: { by: 'clinic' } },
  { analysis: 'answers', query: { question: 'q1', by: 'clinic' } },
  { analysis: 'crosstab', query: { question: 'q1', by: 'q2' } },
  { analysis: 'reach-by-attempt', query: {} },
  { analysis: 'hours', query: {} },
  { analysis: 'funnel', query: {} },
  { analysis: 'trend', query: { of: 'outcomes' } },
  { analysis: 'follow-ups', query: {} },
];

const price = (bytes: number) => (Math.max(bytes, 10 * 1024 * 1024) / 1e12) * 5;

export async function run(args: readonly string[]): Promise<void> {
  const attempts = Number(args[0] ?? 10_000_000);
  mkdirSync(join(STATE, 's3'), { recursive: true });
  const s3rver = new S3rver({ port: S3_PORT, address: '127.0.0.1', directory: join(STATE, 's3'), silent: true });
  await s3rver.run();
  const s3Endpoint = `http://127.0.0.1:${S3_PORT}`;
  const s3 = new S3Client({ endpoint: s3Endpoint, region: 'eu-west-1', forcePathStyle: true, credentials });
  const endpoint = await startAthenaEndpoint({
    port: 0,
    region: 'eu-west-1',
    s3Endpoint,
    catalog,
    cacheDirectory: join(STATE, 'athena'),
    workGroups: [WORKGROUP],
  });
  const stops: Array<() => Promise<unknown>> = [() => s3rver.close(), () => endpoint.close()];
  try {
    await buildData(s3, attempts);
    const queries = new AthenaQueries(
      DATABASE,
      WORKGROUP,
      new AthenaClient({ endpoint: endpoint.url, region: 'eu-west-1', credentials }),
    );
    const campaigns = new Map(CAMPAIGNS.map((id) => [id, { campaign: campaignOf(id) }]));
    const ports = { campaigns: { get: async (id: string) => campaigns.get(id) }, queries, minCell: 5 };
    const range = { campaign: CAMPAIGNS.join(','), from: dateOf(0), to: dateOf(DAYS - 1) };
    // The direct path: DuckDB over the same copies the endpoint reads (synced by a first engine query).
    await queries.run('SELECT count(*) FROM attempts_files');
    await queries.run(
      'SELECT count(*) FROM answers_files UNION ALL SELECT count(*) FROM contacts_files UNION ALL SELECT count(*) FROM follow_ups_files UNION ALL SELECT count(*) FROM latest_answers_files',
    );
    const direct = await (await DuckDBInstance.create(':memory:')).connect();
    const objects = join(STATE, 'athena', 'objects', BUCKET);
    const { readdirSync, statSync } = await import('node:fs');
    const walk = (folder: string): string[] =>
      existsSync(folder)
        ? readdirSync(folder).flatMap((entry) => {
            const path = join(folder, entry);
            return statSync(path).isDirectory() ? walk(path) : [path];
          })
        : [];
    await buildCatalog(direct, catalog, (table) =>
      walk(join(objects, `analytics/${table.Name.replace(/_files$/, '')}/`)).sort(),
    );
    await direct.run(`SET schema = '${DATABASE}'`);
    console.log(
      `\n${attempts.toLocaleString('en-US')} attempts, ${CAMPAIGNS.length} campaigns × ${DAYS} days, compacted; p50 of ${RUNS} runs after one warm-up`,
    );
    for (const { analysis, query } of BENCHED) {
      const parameters = AnalysisParametersSchema.parse({ ...range, ...query });
      const resolved = resolveAnalysis(
        analysis,
        parameters,
        [...campaigns.values()].map(({ campaign }) => ({
          id: campaign.id,
          questions: campaign.script.questions,
          dimensions: campaign.analytics.dimensions,
        })),
      );
      if ('problems' in resolved) throw new Error(JSON.stringify(resolved.problems));
      const sql = analysisSql(resolved);
      const engine: number[] = [];
      const plain: number[] = [];
      let bytes = 0;
      for (let round = 0; round <= RUNS; round++) {
        let started = performance.now();
        const outcome = await runAnalysis(ports, analysis, parameters);
        if (round > 0) engine.push(performance.now() - started);
        if (outcome.kind === 'RESULT') bytes = outcome.result.bytesScanned;
        started = performance.now();
        await direct.runAndReadAll(sql);
        if (round > 0) plain.push(performance.now() - started);
      }
      const ratio = median(engine) / median(plain);
      console.log(
        `analysis ${analysis}: p50 ${median(engine).toFixed(0)} ms, ratio ${ratio.toFixed(2)} (direct DuckDB ${median(plain).toFixed(0)} ms); scans ${(bytes / 1024 / 1024).toFixed(1)} MiB, Athena $${price(bytes).toFixed(5)}`,
      );
    }
    direct.closeSync();
    await pipelineAndFreshness(s3Endpoint, queries, stops);
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  }
}

/** Stream → consumer → Parquet throughput, then answer-to-analysis freshness, on DynamoDB Local. */
async function pipelineAndFreshness(
  s3Endpoint: string,
  queries: AthenaQueries,
  stops: Array<() => Promise<unknown>>,
): Promise<void> {
  const table = await startBenchTable(DYNAMODB_PORT, 'analytics');
  stops.push(() => table.stop());
  Object.assign(process.env, {
    TABLE_NAME: table.tableName,
    REPORTS_BUCKET: BUCKET,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${DYNAMODB_PORT}`,
    AWS_ENDPOINT_URL_S3: s3Endpoint,
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  });
  // The stream consumer, as Lambda runs it, behind a minimal Lambda Invoke endpoint for the poller.
  const { handler } = await import('../functions/handlers/events/analytics-stream.ts');
  const { CampaignStore } = await import('../functions/adapters/campaign-store.ts');
  const { ContactWriter } = await import('../functions/adapters/contact-writer.ts');
  const { AnswerStore } = await import('../functions/adapters/answer-store.ts');
  let delivered = 0;
  const lambda = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const result = await handler(event, {} as never).catch((error: Error) => ({ errorMessage: error.message }));
      delivered += event.Records.length;
      response.writeHead(200, {
        'content-type': 'application/json',
        ...('errorMessage' in result && { 'x-amz-function-error': 'Unhandled' }),
      });
      response.end(JSON.stringify(result));
    });
  });
  await new Promise<void>((ready) => lambda.listen(0, '127.0.0.1', () => ready()));
  stops.push(() => new Promise((closed) => lambda.close(() => closed(undefined))));
  const lambdaEndpoint = `http://127.0.0.1:${(lambda.address() as AddressInfo).port}`;

  const campaign = campaignOf('pipeline');
  await new CampaignStore(table.tableName, table.client).put(campaign);
  await new CampaignStore(table.tableName, table.client).put({ ...campaign, id: 'fresh' });
  const date = '2026-12-01';
  const contacts = 4_000;
  const next = random(7);
  let written = 0;
  let facts = 0;
  const items: Array<Record<string, unknown>> = [];
  for (let index = 0; index < contacts; index++) {
    const phone = `+4860${String(1_000_000 + index).slice(1)}`;
    const calls = 1 + Math.floor(next() * 3);
    const log = Array.from({ length: calls }, (_, n) => ({
      n: n + 1,
      at: `${date}T1${n}:00:00Z`,
      outcome: n + 1 === calls ? 'COMPLETED' : 'NO_ANSWER',
      endedAt: `${date}T1${n}:01:00Z`,
      talkSeconds: n + 1 === calls ? 40 : undefined,
    }));
    items.push({
      ...contactKey('pipeline', date, phone),
      phone,
      contactKey: newContactKey(),
      status: 'COMPLETED',
      attempts: calls,
      attemptLog: log,
      timeZone: 'Europe/Warsaw',
      attributes: { clinic: `clinic-${index % 20}`, region: `r${index % 3}` },
      answers: { q1: '1' },
      listId: '20261201-00000000000000aa',
    });
    items.push({
      ...answerKey('pipeline', date, phone, calls, 'q1'),
      campaignId: 'pipeline',
      date,
      phone,
      attempt: calls,
      questionId: 'q1',
      key: '1',
      label: 'Yes',
      scriptVersion: 1,
      answeredAt: `${date}T1${calls - 1}:00:30Z`,
    });
    facts += calls + 2;
  }
  for (let start = 0; start < items.length; start += 25) {
    await table.client.send(
      new BatchWriteCommand({
        RequestItems: { [table.tableName]: items.slice(start, start + 25).map((Item) => ({ PutRequest: { Item } })) },
      }),
    );
    written += Math.min(25, items.length - start);
  }
  // Everything is on the stream (campaign items too): now the poller drains it, as Lambda would.
  const mapping = {
    functionName: 'analyticsStream',
    tableName: table.tableName,
    event: {
      type: 'dynamodb' as const,
      arn: undefined,
      batchSize: 1000,
      batchWindow: 1,
      bisectBatchOnFunctionError: true,
      functionResponseType: 'ReportBatchItemFailures',
      maximumRetryAttempts: 10,
      startingPosition: 'TRIM_HORIZON' as const,
    },
  };
  const started = performance.now();
  const stopPoller = startStreamPollers([mapping], {
    dynamodbEndpoint: `http://127.0.0.1:${DYNAMODB_PORT}`,
    lambdaEndpoint,
    region: 'eu-west-1',
    deadLetterFile: join(STATE, 'dead-letters.jsonl'),
    log: (line) => console.log(`stream: ${line}`),
  });
  stops.push(stopPoller);
  const expected = written + 2;
  while (delivered < expected) await new Promise((resolveLater) => setTimeout(resolveLater, 100));
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `\npipeline: ${facts.toLocaleString('en-US')} facts from ${written.toLocaleString('en-US')} stream records in ${seconds.toFixed(1)} s: ${(facts / seconds).toFixed(0)} facts/s (batch window 1 s)`,
  );

  // Freshness: an answer through the record-answer transaction, until the analysis counts it.
  const freshDate = '2026-12-02';
  const phones = Array.from({ length: 20 }, (_, index) => `+4861${String(1_000_000 + index).slice(1)}`);
  await new ContactWriter(table.tableName, 30, table.client).write(
    'fresh',
    freshDate,
    phones.map((phone, line) => ({
      phone,
      timeZone: 'Europe/Warsaw',
      attributes: { clinic: 'Wola' },
      listId: 'fresh',
      line,
      dueAt: new Date(),
    })),
  );
  // On a call (attempt 1), as the dispatcher's claim leaves them: an answer for any other attempt is refused.
  for (const phone of phones) {
    await table.client.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: contactKey('fresh', freshDate, phone),
        UpdateExpression: 'SET attempts = :one, #status = :dialing',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':one': 1, ':dialing': 'DIALING' },
      }),
    );
  }
  const answers = new AnswerStore(table.tableName, 30, table.client);
  const campaigns = { get: async () => ({ campaign: { ...campaign, id: 'fresh' } }) };
  const parameters = AnalysisParametersSchema.parse({ campaign: 'fresh', date: freshDate, question: 'q1' });
  const counted = async () => {
    const outcome = await runAnalysis({ campaigns, queries, minCell: 1 }, 'answers', parameters);
    // A failed analysis would never count the answer: stop with its reason rather than wait forever.
    if (outcome.kind !== 'RESULT')
      throw new Error(`freshness: the answers analysis failed: ${JSON.stringify(outcome)}`);
    return outcome.result.rows.reduce((sum, row) => sum + Number(row[2] ?? 0), 0);
  };
  const delays: number[] = [];
  for (const [index, phone] of phones.entries()) {
    const before = await counted();
    const recordedAt = performance.now();
    const recorded = await answers.record({
      ref: { campaignId: 'fresh', date: freshDate, phone, attempt: 1 },
      questionId: 'q1',
      key: '1',
      label: 'Yes',
      scriptVersion: 1,
      answeredAt: new Date(),
      connectContactId: `fresh-${index}`,
      progress: { attempt: 1, questionsAnswered: 1, completed: false, optedOut: false },
    });
    if (recorded !== 'RECORDED')
      throw new Error(`freshness: the answer of contact ${index} was not recorded (${recorded})`);
    while ((await counted()) <= before) await new Promise((resolveLater) => setTimeout(resolveLater, 100));
    delays.push((performance.now() - recordedAt) / 1000);
  }
  console.log(
    `freshness p50 ${median(delays).toFixed(1)} s, p95 ${percentile(delays, 0.95).toFixed(1)} s (answer recorded → counted by the answers analysis; batch window 1 s; ${delays.length} answers)`,
  );
}
