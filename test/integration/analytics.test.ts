/**
 * Analytics on the local cloud, end to end: a survey run's changes flow through DynamoDB Local's stream to the
 * consumer (invoked through serverless-offline as Lambda would), into Parquet in the local S3, and the named
 * analyses, run through the local Athena endpoint, agree with the per-contact export. No fact holds a phone number
 * or a name, and after a person's items are erased no item links their facts to them.
 */
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { AthenaClient } from '@aws-sdk/client-athena';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { DeleteCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { AthenaQueries } from '../../functions/adapters/athena-queries.ts';
import { launchBrowser } from './browser.ts';
import {
  api,
  cloud,
  invokeFunction,
  localDocumentClient,
  runItems,
  setScenario,
  simulatorStats,
  testCampaign,
  today,
  upload,
  waitFor,
  waitForExecution,
} from './support.ts';

const CAMPAIGN = 'analytics-e2e';
const CONTACTS = 40;
const CLINICS = ['Wola', ' Praga', 'Mokotów ', '', 'Wola'];
const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const s3 = new S3Client({ endpoint: cloud.endpoints.s3, region: 'eu-west-1', forcePathStyle: true, credentials });
const REPORTS_BUCKET = 'campaign-engine-local-reports-local';
const athena = new AthenaQueries(
  'campaign_engine_local',
  'campaign-engine-local-analytics',
  new AthenaClient({ endpoint: cloud.endpoints.athena, region: 'eu-west-1', credentials }),
);

const phones = Array.from({ length: CONTACTS }, (_, index) => `+4871${String(5_000_000 + index).padStart(7, '0')}`);
const names = phones.map((_, index) => `Analyta Person${String.fromCharCode(65 + (index % 26))}${index}`);
const LIST = [
  'name;phone;clinic',
  ...phones.map((phone, index) => `${names[index]};${phone};${CLINICS[index % CLINICS.length]}`),
].join('\r\n');

interface ExportRow {
  phone: string;
  clinic: string;
  status: string;
  attemptLog: string;
  answerQ1: string;
}

let exported: ExportRow[];

/** The run's per-contact export, parsed (its columns: phone, external_id, name, clinic, status, attempts, …). */
async function exportRows(): Promise<ExportRow[]> {
  const response = await api('GET', `/campaigns/${CAMPAIGN}/reports/${today()}/contacts.csv`);
  const text = await (await fetch((response.body as { url: string }).url)).text();
  const [header = '', ...lines] = text
    .replace(/^\uFEFF/, '')
    .split('\r\n')
    .filter((line) => line !== '');
  const columns = header.split(',');
  return lines.map((line) => {
    const cells = line.split(',');
    const at = (name: string) => cells[columns.indexOf(name)] ?? '';
    return {
      phone: at('phone').replace(/^'/, ''),
      clinic: at('clinic').trim(),
      status: at('status'),
      attemptLog: at('attempt_log'),
      answerQ1: at('answer_q1'),
    };
  });
}

async function analysis(name: string, query: string) {
  const response = await api('GET', `/analytics/${name}?campaign=${CAMPAIGN}&date=${today()}&${query}`);
  expect(response.status, response.text).toBe(200);
  return response.body as { columns: string[]; rows: Array<Array<string | number | null>>; suppressed: number };
}

beforeAll(async () => {
  await setScenario({
    seed: 41,
    timeScale: 0.02,
    outcomes: { ANSWERED: 70, NO_ANSWER: 15, BUSY: 10, INVALID_NUMBER: 5 },
    hangUpProbability: 0.1,
    keypad: { questions: { q1: { keys: { '1': 50, '2': 50 } } } },
  });
  const put = await api(
    'PUT',
    `/campaigns/${CAMPAIGN}`,
    testCampaign(CAMPAIGN, {
      retryPolicy: { maxAttempts: 2, maxAttemptsPerDay: 2, retryDelays: { NO_ANSWER: 'PT1S', BUSY: 'PT1S' } },
      analytics: { dimensions: ['clinic'] },
    }),
  );
  expect(put.status).toBe(200);
  const imported = await upload(`/campaigns/${CAMPAIGN}/lists?date=${today()}`, LIST);
  expect(imported.status, imported.text).toBe(201);
  const started = await api('POST', `/campaigns/${CAMPAIGN}/runs`, { date: today() });
  expect(started.status).toBe(202);
  const sweeping = setInterval(() => void invokeFunction('sweeper').catch(() => undefined), 3_000);
  try {
    const execution = await waitForExecution((started.body as { executionArn: string }).executionArn, 240_000);
    expect(execution.status).toBe('SUCCEEDED');
  } finally {
    clearInterval(sweeping);
  }
  await waitFor('simulator idle', async () => ((await simulatorStats()).active === 0 ? true : undefined));
  exported = await exportRows();
  expect(exported).toHaveLength(CONTACTS);
  // The facts follow the stream: wait until every finished contact is in them.
  await waitFor(
    'every contact in the facts',
    async () => {
      const outcomes = await analysis('outcomes', '');
      const finished = outcomes.rows
        .filter((row) => !['CALLED', 'REACHED'].includes(String(row[0])))
        .reduce((sum, row) => sum + Number(row[1] ?? 0), 0);
      return finished === CONTACTS ? true : undefined;
    },
    60_000,
  );
}, 360_000);

describe('analytics from the stream', () => {
  it('answers q1 by clinic with the counts of the per-contact export', async () => {
    const result = await analysis('answers', 'question=q1&by=clinic');
    expect(result.columns).toEqual(['clinic', 'q1', 'q1_label', 'contacts', 'share']);
    const expected = new Map<string, number>();
    for (const row of exported.filter((contact) => contact.answerQ1 !== '')) {
      const key = `${row.clinic === '' ? null : row.clinic}|${row.answerQ1}`;
      expected.set(key, (expected.get(key) ?? 0) + 1);
    }
    const actual = new Map(result.rows.map((row) => [`${row[0]}|${row[2]}`, row[3]]));
    expect(Object.fromEntries(actual)).toEqual(Object.fromEntries(expected));
    expect([...actual.keys()].some((key) => key.startsWith('Praga|'))).toBe(true);
  });

  it('counts statuses, called and reached contacts as the export does', async () => {
    const result = await analysis('outcomes', '');
    const row = (outcome: string) => result.rows.find((cells) => cells[0] === outcome);
    const byStatus = new Map<string, number>();
    for (const contact of exported) byStatus.set(contact.status, (byStatus.get(contact.status) ?? 0) + 1);
    for (const [status, count] of byStatus) expect(row(status)?.[1], status).toBe(count);
    expect(row('CALLED')?.[1]).toBe(exported.filter((contact) => contact.attemptLog !== '').length);
    expect(row('REACHED')?.[1]).toBe(
      exported.filter((contact) => / (COMPLETED|PARTIAL|OPTED_OUT)(;|$)/.test(contact.attemptLog)).length,
    );
  });

  it('prints the table with the CLI', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        resolve(import.meta.dirname, '../../cli/campaign.ts'),
        'analyze',
        'answers',
        '--campaign',
        CAMPAIGN,
        '--question',
        'q1',
        '--by',
        'clinic',
        '--date',
        today(),
        '--json',
        '--api',
        cloud.endpoints.api,
      ],
      { env: { ...process.env, CAMPAIGN_API: '' } },
    );
    const parsed = JSON.parse(stdout);
    expect(Object.keys(parsed)).toEqual([
      'analysis',
      'parameters',
      'columns',
      'rows',
      'minCell',
      'suppressed',
      'freshAsOf',
    ]);
    expect(parsed.columns).toEqual(['clinic', 'q1', 'q1_label', 'contacts', 'share']);
  });

  it('keeps phone numbers and names out of every fact file', async () => {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: REPORTS_BUCKET, Prefix: 'analytics/' }));
    const keys = (listed.Contents ?? []).map((object) => object.Key ?? '').filter((key) => key.includes(CAMPAIGN));
    expect(keys.length).toBeGreaterThan(3);
    for (const key of keys) {
      const object = await s3.send(new GetObjectCommand({ Bucket: REPORTS_BUCKET, Key: key }));
      const text = Buffer.from((await object.Body?.transformToByteArray()) ?? new Uint8Array()).toString('latin1');
      for (const phone of phones) expect(text.includes(phone.slice(3)), key).toBe(false);
      for (const name of names) expect(text.includes(name.split(' ')[1] ?? name), key).toBe(false);
    }
  });

  it('leaves nothing that links a fact to the number once the person is erased', async () => {
    const [contact] = (await runItems(CAMPAIGN, today(), 'CONTACT#')).filter((item) => Number(item.attempts) > 0);
    const phone = String(contact?.phone);
    const key = BigInt(`0x${String(contact?.contactKey)}`);
    const facts = await athena.run(
      `SELECT count(*) AS n FROM attempts WHERE campaign = '${CAMPAIGN}' AND contact_key = ${key}`,
    );
    expect(Number(facts.rows[0]?.[0])).toBeGreaterThan(0);

    // Erasure deletes the person's items: the contact (the only holder of the key), answers, follow-ups.
    const client = localDocumentClient();
    const items = [
      ...(await runItems(CAMPAIGN, today(), `CONTACT#${phone}`)),
      ...(await runItems(CAMPAIGN, today(), `ANSWER#${phone}#`)),
      ...(await runItems(CAMPAIGN, today(), `FOLLOWUP#${phone}#`)),
    ];
    for (const item of items) {
      await client.send(new DeleteCommand({ TableName: cloud.tableName, Key: { pk: item.pk, sk: item.sk } }));
    }
    const scanned = await client.send(new ScanCommand({ TableName: cloud.tableName }));
    const holders = (scanned.Items ?? []).filter((item) => JSON.stringify(item).includes(String(contact?.contactKey)));
    expect(holders).toEqual([]);
    // The facts stay, anonymous: the stream's removals add nothing.
    await new Promise((resolveLater) => setTimeout(resolveLater, 3_000));
    const after = await athena.run(
      `SELECT count(*) AS n FROM attempts WHERE campaign = '${CAMPAIGN}' AND contact_key = ${key}`,
    );
    expect(after.rows).toEqual(facts.rows);
  });

  it("shows the dashboard's Analysis view: the hour × weekday heatmap, the cross-tab, downloads", async () => {
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
      await page.goto(`${cloud.endpoints.api.replace('127.0.0.1', 'localhost')}/#/${CAMPAIGN}/${today()}/analysis`);
      const heatmap = page.locator('table.heatmap');
      await heatmap.waitFor({ timeout: 30_000 });
      expect(await heatmap.locator('tbody tr').count()).toBe(7);
      expect(await heatmap.locator('td.heat').filter({ hasText: '%' }).count()).toBeGreaterThan(0);
      const crosstab = page.locator('#analysis-crosstab table.analysis-table');
      await crosstab.waitFor({ timeout: 30_000 });
      expect(await crosstab.locator('thead th').allTextContents()).toEqual([
        'clinic',
        'q1',
        'q1_label',
        'contacts',
        'row_share',
        'column_share',
      ]);
      await page.locator('#analysis-funnel table').waitFor({ timeout: 30_000 });
      await page.locator('#analysis-trend figure').waitFor({ timeout: 30_000 });
      const csv = await page.locator('#analysis-answers a', { hasText: 'Download CSV' }).getAttribute('href');
      const download = await fetch(`${cloud.endpoints.api}${csv}`);
      expect(download.headers.get('content-type')).toContain('text/csv');
      // UTF-8 with a byte order mark, so Excel reads it as UTF-8 (text() would drop the mark).
      const bytes = Buffer.from(await download.arrayBuffer());
      expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
      expect(bytes.subarray(3).toString('utf8').split('\r\n')[0]).toBe('clinic,q1,q1_label,contacts,share');
      const xlsx = await page.locator('#analysis-answers a', { hasText: 'Download Excel' }).getAttribute('href');
      const workbook = await fetch(`${cloud.endpoints.api}${xlsx}`);
      expect(
        Buffer.from(await workbook.arrayBuffer())
          .subarray(0, 2)
          .toString(),
      ).toBe('PK');
      mkdirSync('test-results/dashboard', { recursive: true });
      await page.screenshot({ path: 'test-results/dashboard/analysis.png', fullPage: true });
    } finally {
      await browser.close();
    }
  }, 120_000);
});
