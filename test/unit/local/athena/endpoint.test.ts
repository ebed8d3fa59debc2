/**
 * The local Athena endpoint answers the engine's SDK v3 client as Athena does: query states, every page of results
 * (the first led by the column names), failures with their reason, bytes scanned; over the catalogue's views.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AthenaClient } from '@aws-sdk/client-athena';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnalyticsQueryError, AthenaQueries } from '../../../../functions/adapters/athena-queries.ts';
import { recordFacts } from '../../../../functions/use-cases/analytics/record-facts.ts';
import { startAthenaEndpoint, type TableFiles } from '../../../../local/athena/endpoint.ts';
import { columnBytesOf } from '../../../../local/athena/file-cache.ts';
import type { RunningServer } from '../../../../local/http-server.ts';
import {
  BUCKET,
  DATABASE,
  DirectoryFactStorage,
  FactQueries,
  testCatalog,
} from '../../use-cases/analytics/fact-harness.ts';
import { expandRun, RUN_DATE } from '../../use-cases/analytics/run-model.ts';

const storage = new DirectoryFactStorage();
let endpoint: RunningServer;
let queries: AthenaQueries;

/** The storage's files, read where they are (the local cloud copies them from its S3 instead). */
const files: TableFiles = {
  folderOf: (bucket, prefix) => join(storage.root, bucket, prefix),
  sync: async (_bucket, prefix) =>
    storage
      .allKeys()
      .filter((key) => key.startsWith(prefix))
      .map((key) => join(storage.root, BUCKET, key)),
  pathsUnder: (folder) =>
    storage
      .allKeys()
      .map((key) => join(storage.root, BUCKET, key))
      .filter((path) => path.startsWith(folder)),
  bytesOf: (path, columns) => {
    const sizes = columnBytesOf(readFileSync(path));
    return columns.reduce((sum, column) => sum + (sizes.get(column) ?? 0), 0);
  },
};

beforeAll(async () => {
  const run = expandRun(
    Array.from({ length: 40 }, (_, index) => ({
      clinic: index % 2 === 0 ? 'Wola' : 'Praga',
      timeZone: 'Europe/Warsaw',
      ending: 'FINAL' as const,
      followUp: 'SENT' as const,
      attempts: [
        {
          outcome: index % 3 === 0 ? ('COMPLETED' as const) : ('NO_ANSWER' as const),
          gapMinutes: 5,
          ringSeconds: 10,
          talkSeconds: 30,
          q1: '1' as const,
          q2: '1' as const,
          answeredBeforeEnd: 0 as const,
        },
      ],
    })),
  );
  const byPhone = new Map(run.contacts.map((contact) => [contact.phone, contact]));
  await recordFacts(
    {
      contacts: {
        lookup: async (refs) =>
          new Map(refs.map((ref) => [`${ref.campaignId}#${ref.date}#${ref.phone}`, { ...byPhone.get(ref.phone) }])),
      },
      campaigns: { analyticsOf: async () => ({ callerId: '+48221234567', dimensions: ['clinic'] }) },
      dimensions: { admit: async (_c, _d, values) => new Set(values) },
      files: { write: (...args) => storage.write(...args) },
      now: () => Date.parse(`${RUN_DATE}T20:00:00Z`),
      newFileId: () => 'a1',
      warn: () => undefined,
    },
    run.changes,
  );
  endpoint = await startAthenaEndpoint({
    port: 0,
    region: 'eu-west-1',
    s3Endpoint: 'http://127.0.0.1:9',
    files,
    catalog: testCatalog(),
    cacheDirectory: join(storage.root, 'athena'),
    workGroups: ['analytics'],
    threads: 1,
  });
  const client = new AthenaClient({
    endpoint: endpoint.url,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  });
  queries = new AthenaQueries(DATABASE, 'analytics', client);
}, 60_000);

afterAll(async () => {
  await endpoint?.close();
  storage.dispose();
});

describe('local Athena endpoint', () => {
  it('answers a query over the views as DuckDB does directly, with the bytes it would scan', async () => {
    const sql = 'SELECT outcome, count(*) AS attempts FROM attempts GROUP BY outcome ORDER BY outcome';
    const result = await queries.run(sql);
    const direct = new FactQueries(storage);
    const expected = await direct.rows(sql);
    direct.close();

    expect(result.columns).toEqual([
      { name: 'outcome', type: 'varchar' },
      { name: 'attempts', type: 'bigint' },
    ]);
    expect(result.rows).toEqual(expected.map((row) => [String(row.outcome), String(row.attempts)]));
    expect(result.rows).toEqual([
      ['COMPLETED', '14'],
      ['NO_ANSWER', '26'],
    ]);
    expect(result.bytesScanned).toBeGreaterThan(0);
  });

  it('returns every page of a large result, the column names only once', async () => {
    const result = await queries.run(`SELECT range AS n, NULL AS nothing FROM range(2500) ORDER BY n`);
    expect(result.rows).toHaveLength(2500);
    expect(result.rows[0]).toEqual(['0', null]);
    expect(result.rows.at(-1)).toEqual(['2499', null]);
  });

  it('fails a query it cannot run, with the reason', async () => {
    await expect(queries.run('SELECT nope FROM attempts')).rejects.toThrow(AnalyticsQueryError);
    await expect(queries.run('SELECT nope FROM attempts')).rejects.toThrow(/nope/);
  });

  it('refuses a workgroup the template does not declare', async () => {
    const client = new AthenaClient({
      endpoint: endpoint.url,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    await expect(new AthenaQueries(DATABASE, 'other', client).run('SELECT 1')).rejects.toThrow(/WorkGroup other/);
  });
});
