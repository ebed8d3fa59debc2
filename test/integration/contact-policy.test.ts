/**
 * The contact policy on the local stack (config/contact-policy.yml, stage `local`), judged by the Connect simulator's
 * ground-truth call log, a scan of the table and the buckets, and the audit log the CLI reads:
 * - two campaigns sharing numbers, dialled at the same time with DynamoDB answering with transaction conflicts,
 *   never call a number twice under the `test-daily` rule (one call a day);
 * - a pool of two caller IDs with a tier of one call per 10 s paces a run without crossing the tier;
 * - `campaign person forget` leaves nothing of the number but its do-not-call hash and the erasure record: not in the
 *   table, the uploads or the exports, nor in the analytics facts (Parquet, read row by row), whose contact key no
 *   item links to the person any more;
 * - every operator action taken while trying the demo (and in this file) is in `campaign audit`.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { GetCommand, PutCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { parquetReadObjects } from 'hyparquet';
import { afterAll, describe, expect, it } from 'vitest';
import { hashedDoNotCallKey } from '../../functions/core/keys.ts';
import { syncCampaigns } from '../../local/demo.ts';
import {
  api,
  callLog,
  cloud,
  dynamoDbFaultCounts,
  localDocumentClient,
  localNumberHasher,
  runItems,
  setDynamoDbFaults,
  testCampaign,
  today,
  upload,
  waitFor,
} from './support.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'cli/campaign.ts');
const work = mkdtempSync(join(tmpdir(), 'campaign-policy-'));
const documents = localDocumentClient();
const s3 = new S3Client({
  endpoint: cloud.endpoints.s3,
  region: 'eu-west-1',
  forcePathStyle: true,
  credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
});
/** Runs the real CLI against the test stack (it names the local user as the operator). */
function campaign(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: work,
      env: { ...process.env, CAMPAIGN_API: cloud.endpoints.api },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

const numbers = (first: number, count: number) =>
  Array.from({ length: count }, (_, index) => `+4860955${String(first + index).padStart(4, '0')}`);
const csv = (phones: readonly string[]) =>
  `phone,name\n${phones.map((phone, index) => `${phone},Person ${index}`).join('\n')}\n`;

async function putCampaign(id: string, overrides: Record<string, unknown>) {
  const stored = await api('PUT', `/campaigns/${id}`, testCampaign(id, overrides));
  expect(stored.status, stored.text).toBe(200);
}

async function stopRun(campaignId: string) {
  await api('POST', `/campaigns/${campaignId}/runs/${today()}/stop`);
  await waitFor(
    `${campaignId} to finish`,
    async () => {
      const status = await api('GET', `/campaigns/${campaignId}/runs/${today()}`);
      return (status.body as { status?: string }).status === 'FINISHED' ? true : undefined;
    },
    90_000,
  );
}

afterAll(async () => {
  await setDynamoDbFaults({});
});

describe('frequency caps across campaigns', () => {
  it('never calls a number twice under a one-a-day rule, however two campaigns sharing it race', async () => {
    const phones = numbers(0, 12);
    for (const id of ['cap-a', 'cap-b']) await putCampaign(id, { policy: { category: 'cap-test' } });
    for (const id of ['cap-a', 'cap-b']) {
      const listed = await upload(`/campaigns/${id}/lists?date=${today()}`, csv(phones));
      expect(listed.status, listed.text).toBe(201);
    }
    await setDynamoDbFaults({ conflicts: '5-20ms' });
    const before = await dynamoDbFaultCounts();
    const started = await Promise.all(
      ['cap-a', 'cap-b'].map((id) => api('POST', `/campaigns/${id}/runs`, { date: today() })),
    );
    expect(started.map((response) => response.status)).toEqual([202, 202]);

    // Every number is called once, by one campaign or the other; its contact in the other waits for the cap.
    const called = () => callLog().filter((call) => phones.includes(call.destination));
    await waitFor(
      'every number to be called',
      async () => (called().length >= phones.length ? true : undefined),
      120_000,
    );
    await waitFor(
      'the other campaign to hold every number back',
      async () => {
        const held = (await Promise.all(['cap-a', 'cap-b'].map((id) => runItems(id, today(), 'CONTACT#'))))
          .flat()
          .filter((contact) => (contact.heldBy as { rule?: string } | undefined)?.rule === 'test-daily');
        return held.length >= phones.length ? true : undefined;
      },
      60_000,
    );
    // Retries of the calls that were not answered fall due within seconds (PT1S): give them time to be refused too.
    await new Promise((wait) => setTimeout(wait, 8_000));
    const calls = called();
    const perNumber = new Map<string, number>();
    for (const call of calls) perNumber.set(call.destination, (perNumber.get(call.destination) ?? 0) + 1);
    expect([...perNumber.values()]).toEqual(phones.map(() => 1));
    expect(new Set(calls.map((call) => call.attributes.campaignId))).toEqual(new Set(['cap-a', 'cap-b']));
    // DynamoDB answered with conflicts meanwhile (the claims were retried, none went through twice).
    expect((await dynamoDbFaultCounts()).conflicts).toBeGreaterThan(before.conflicts);

    const status = await api('GET', `/campaigns/cap-a/runs/${today()}`);
    const policy = (status.body as { policy: { caps: { rules: Array<{ id: string }>; holds: number } } }).policy;
    expect(policy.caps.rules.map((rule) => rule.id)).toEqual(['test-daily']);
    await setDynamoDbFaults({});
    await Promise.all(['cap-a', 'cap-b'].map(stopRun));
  }, 240_000);
});

describe('caller-ID pools', () => {
  it('paces a run down to two numbers allowing one call per 10 s each, never over the tier', async () => {
    const phones = numbers(100, 6);
    await putCampaign('pool-a', {
      policy: { callerIdPool: 'test-low-tier' },
      retryPolicy: { maxAttempts: 1, maxAttemptsPerDay: 1, retryDelays: {} },
    });
    const listed = await upload(`/campaigns/pool-a/lists?date=${today()}`, csv(phones));
    expect(listed.status, listed.text).toBe(201);
    expect((await api('POST', '/campaigns/pool-a/runs', { date: today() })).status).toBe(202);
    await waitFor(
      'every contact to be called',
      async () =>
        callLog().filter((call) => phones.includes(call.destination)).length >= phones.length ? true : undefined,
      120_000,
    );
    const calls = callLog().filter((call) => phones.includes(call.destination));
    const pool = ['+48225550001', '+48225550002'];
    expect(new Set(calls.map((call) => call.source))).toEqual(new Set(pool));
    for (const number of pool) {
      const times = calls
        .filter((call) => call.source === number)
        .map((call) => Date.parse(call.startedAt))
        .sort((a, b) => a - b);
      // The simulator's clock: requests arrive a little after the claim that counted them.
      for (let index = 1; index < times.length; index++) {
        expect((times[index] ?? 0) - (times[index - 1] ?? 0)).toBeGreaterThanOrEqual(9_500);
      }
    }
    // The engine's own record of each attempt: strictly one call per number per 10 s.
    const attempts = (await runItems('pool-a', today(), 'CONTACT#')).flatMap(
      (contact) => contact.attemptLog as Array<{ at: string; callerId?: string }>,
    );
    for (const number of pool) {
      const times = attempts
        .filter((attempt) => attempt.callerId === number)
        .map((attempt) => Date.parse(attempt.at))
        .sort((a, b) => a - b);
      for (let index = 1; index < times.length; index++) {
        expect((times[index] ?? 0) - (times[index - 1] ?? 0)).toBeGreaterThanOrEqual(10_000);
      }
    }
    // Six calls over two numbers at one per 10 s each: at least 20 s, where the dial rate alone allows 20 a second.
    const starts = calls.map((call) => Date.parse(call.startedAt)).sort((a, b) => a - b);
    expect((starts.at(-1) ?? 0) - (starts[0] ?? 0)).toBeGreaterThanOrEqual(19_000);
    const status = await api('GET', `/campaigns/pool-a/runs/${today()}`);
    const callerIds = (status.body as { policy: { callerIds: { numbers: Array<{ number: string; calls: number }> } } })
      .policy.callerIds;
    expect(callerIds.numbers.reduce((sum, entry) => sum + entry.calls, 0)).toBe(phones.length);
    await stopRun('pool-a');
  }, 240_000);
});

/** Every object of a bucket, with its text. */
async function bucketTexts(bucket: string): Promise<Array<{ key: string; text: string }>> {
  const objects: Array<{ key: string; text: string }> = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    for (const object of page.Contents ?? []) {
      if (object.Key === undefined) continue;
      const body = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: object.Key }));
      objects.push({
        key: object.Key,
        text: Buffer.from((await body.Body?.transformToByteArray()) ?? []).toString('latin1'),
      });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return objects;
}

/** Every row of every analytics fact file (`analytics/<table>/…parquet` in the reports bucket), with its file. */
async function factRows(): Promise<Array<{ key: string; row: Record<string, unknown> }>> {
  const rows: Array<{ key: string; row: Record<string, unknown> }> = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: cloud.reportsBucket, Prefix: 'analytics/', ContinuationToken: token }),
    );
    for (const object of page.Contents ?? []) {
      if (object.Key === undefined || !object.Key.endsWith('.parquet')) continue;
      const body = await s3.send(new GetObjectCommand({ Bucket: cloud.reportsBucket, Key: object.Key }));
      const bytes = (await body.Body?.transformToByteArray()) ?? new Uint8Array();
      const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      for (const row of (await parquetReadObjects({ file })) as Array<Record<string, unknown>>) {
        rows.push({ key: object.Key, row });
      }
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return rows;
}

/** A fact row's cells as text (bigints, dates and all), to search for a number however it is written. */
const rowText = (row: Record<string, unknown>): string =>
  Object.values(row)
    .map((value) => (value instanceof Date ? value.toISOString() : String(value)))
    .join('|');

/** Every item of the table. */
async function tableItems(): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(new ScanCommand({ TableName: cloud.tableName, ExclusiveStartKey: startKey }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return items;
}

describe('a person’s data', () => {
  const person = '+48609551234';
  const national = '609551234';
  let erasureId = '';

  it('shows everything the engine holds about a number, and forgets it leaving only the opt-out hash', async () => {
    await putCampaign('forget-a', { retryPolicy: { maxAttempts: 1, maxAttemptsPerDay: 1, retryDelays: {} } });
    // The number as people write it, and a neighbour who stays.
    const listed = await upload(
      `/campaigns/forget-a/lists?date=${today()}`,
      `phone;name;note\n609 551 234;Anna;call after lunch\n+48609551235;Piotr;\n`,
    );
    expect(listed.status, listed.text).toBe(201);
    expect((await api('POST', '/campaigns/forget-a/runs', { date: today() })).status).toBe(202);
    await waitFor(
      'the run to finish',
      async () => {
        const status = await api('GET', `/campaigns/forget-a/runs/${today()}`);
        return (status.body as { status?: string }).status === 'FINISHED' ? true : undefined;
      },
      120_000,
    );
    const exported = await campaign([
      'report',
      '--campaign',
      'forget-a',
      '--date',
      today(),
      '--out',
      join(work, 'forget-a.csv'),
    ]);
    expect(exported.code, exported.stderr).toBe(0);
    // An opt-out stored before numbers were hashed: erasure keeps the opt-out, as a hash.
    await documents.send(
      new PutCommand({
        TableName: cloud.tableName,
        Item: { pk: 'DNC', sk: person, phone: person, source: 'opt-out', addedAt: new Date().toISOString() },
      }),
    );

    const shown = await campaign(['person', 'show', person, '--json']);
    expect(shown.code, shown.stderr).toBe(0);
    const view = JSON.parse(shown.stdout) as {
      contacts: unknown[];
      calls: unknown[];
      doNotCall: { listed: boolean };
      lists: unknown[];
      exports: unknown[];
    };
    expect(view.contacts).toHaveLength(1);
    expect(view.calls.length).toBeGreaterThanOrEqual(1);
    expect(view.doNotCall.listed).toBe(true);
    expect(view.lists).toHaveLength(1);
    expect(view.exports.length).toBeGreaterThanOrEqual(1);
    const before = [...(await bucketTexts(cloud.uploadsBucket)), ...(await bucketTexts(cloud.reportsBucket))];
    expect(before.some((object) => object.text.includes(national))).toBe(true);
    // The analytics facts of the person's call are written (from the table's stream) before the erasure.
    const [contactItem] = await runItems('forget-a', today(), `CONTACT#${person}`);
    const personKey = String(contactItem?.contactKey);
    expect(personKey).toMatch(/^[0-9a-f]{16}$/);
    const isPersonFact = (row: Record<string, unknown>) => String(row.contact_key) === String(BigInt(`0x${personKey}`));
    await waitFor(
      "the person's attempt and contact facts",
      async () => {
        const tables = new Set(
          (await factRows()).filter(({ row }) => isPersonFact(row)).map(({ key }) => key.split('/')[1]),
        );
        return tables.has('attempts') && tables.has('contacts') ? true : undefined;
      },
      60_000,
    );

    const refused = await campaign(['person', 'forget', person]);
    expect(refused.code).not.toBe(0);
    const forgotten = await campaign(['person', 'forget', person, '--yes', '--json']);
    expect(forgotten.code, forgotten.stderr).toBe(0);
    const record = JSON.parse(forgotten.stdout) as { erasureId: string; removed: Record<string, number> };
    erasureId = record.erasureId;
    expect(record.removed).toMatchObject({ contacts: 1, ledger: 0, doNotCallEntriesHashed: 1 });
    expect(record.removed.uploadedFiles).toBeGreaterThanOrEqual(1);
    expect(record.removed.exportFiles).toBeGreaterThanOrEqual(1);

    // Nothing of the number is left in the table, however it was written…
    const leftovers = (await tableItems()).filter((item) => JSON.stringify(item).includes(national));
    expect(leftovers).toEqual([]);
    // … but its opt-out, as a keyed hash, and the record of its erasure (without it).
    const hashed = await documents.send(
      new GetCommand({ TableName: cloud.tableName, Key: hashedDoNotCallKey(await localNumberHasher().hash(person)) }),
    );
    expect(hashed.Item).toMatchObject({ source: 'opt-out' });
    const month = new Date().toISOString().slice(0, 7);
    const erasures = await documents.send(
      new QueryCommand({
        TableName: cloud.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `ERASURES#${month}` },
      }),
    );
    expect((erasures.Items ?? []).map((item) => item.erasureId)).toContain(erasureId);
    // Nor in any bucket: the run's list upload, rejected rows and exports are gone.
    const after = [...(await bucketTexts(cloud.uploadsBucket)), ...(await bucketTexts(cloud.reportsBucket))];
    expect(after.filter((object) => object.text.includes(national)).map((object) => object.key)).toEqual([]);
    // The analytics facts hold no number, before or after; the person's facts stay as anonymous rows, because no item
    // holds their contact key any more (the contact item was its only holder: docs/contact-policy.md, "Erasure").
    await new Promise((wait) => setTimeout(wait, 3_000));
    const facts = await factRows();
    expect(facts.filter(({ row }) => rowText(row).includes(national)).map(({ key }) => key)).toEqual([]);
    expect(facts.some(({ row }) => isPersonFact(row))).toBe(true);
    expect((await tableItems()).filter((item) => JSON.stringify(item).includes(personKey))).toEqual([]);
    // The neighbour is still a contact of the run; the person's contact is gone.
    const contacts = await runItems('forget-a', today(), 'CONTACT#');
    expect(contacts.map((contact) => contact.phone)).toEqual(['+48609551235']);
    // Still not callable: a new list with the number is suppressed.
    const again = await upload(`/campaigns/forget-a/lists?date=${today()}`, `phone\n${person}\n`);
    expect(again.body).toMatchObject({ suppressed: 1, accepted: 0 });
  }, 240_000);

  it('keeps every operator action of the demo and of this file in the audit log, with who did it', async () => {
    // Trying the demo as the README says: store the campaigns, upload the list, start, pause, resume, stop, export.
    await syncCampaigns(cloud.endpoints.api, () => undefined);
    const demoList = join(work, 'list.csv');
    copyFileSync(join(ROOT, 'config/demo/list.csv'), demoList);
    const step = async (args: string[], allowed: readonly number[] = [0]) => {
      const result = await campaign(args);
      expect(allowed.includes(result.code ?? -1), `${args.join(' ')}: ${result.stderr}`).toBe(true);
    };
    // Exit 3: the demo list rejects more than 5 % of its rows on purpose (the accepted ones are imported).
    await step(['upload', demoList, '--campaign', 'demo'], [0, 3]);
    await step(['runs', 'start', '--campaign', 'demo']);
    await waitFor('the demo run to be running', async () => {
      const status = await api('GET', `/campaigns/demo/runs/${today()}`);
      return (status.body as { status?: string }).status === 'RUNNING' ? true : undefined;
    });
    await step(['runs', 'pause', '--campaign', 'demo']);
    await step(['runs', 'resume', '--campaign', 'demo']);
    await step(['report', '--campaign', 'demo', '--out', join(work, 'demo.csv')]);
    await step(['runs', 'stop', '--campaign', 'demo']);
    await step(['analytics', 'backfill', '--from', today(), '--to', today(), '--campaign', 'demo']);
    const dnc = join(work, 'dnc.csv');
    writeFileSync(dnc, 'phone\n+48609559999\n');
    expect((await campaign(['dnc', 'add', dnc])).code).toBe(0);

    const audit = await campaign(['audit', '--json', '--limit', '1000']);
    expect(audit.code, audit.stderr).toBe(0);
    const entries = (
      JSON.parse(audit.stdout) as {
        entries: Array<{
          action: string;
          actor: { kind: string; id: string };
          target: Record<string, string>;
          result: { status: number };
          diff?: unknown[];
          details?: Record<string, unknown>;
        }>;
      }
    ).entries;
    const has = (action: string, campaignId?: string) =>
      entries.find(
        (entry) => entry.action === action && (campaignId === undefined || entry.target.campaignId === campaignId),
      );
    for (const [action, campaignId] of [
      ['CAMPAIGN_PUT', 'demo'],
      ['LIST_UPLOAD', 'demo'],
      ['RUN_START', 'demo'],
      ['RUN_PAUSE', 'demo'],
      ['RUN_RESUME', 'demo'],
      ['RUN_STOP', 'demo'],
      ['EXPORT', 'demo'],
      ['ANALYTICS_BACKFILL', 'demo'],
      ['CAMPAIGN_PUT', 'cap-a'],
      ['LIST_UPLOAD', 'cap-b'],
      ['RUN_START', 'pool-a'],
      ['EXPORT', 'forget-a'],
      ['DNC_ADD', undefined],
      ['PERSON_SHOW', undefined],
      ['PERSON_FORGET', undefined],
    ] as const) {
      expect(has(action, campaignId), `${action} ${campaignId ?? ''}`).toBeDefined();
    }
    // The CLI names the operator; the request it made and the result are there; a campaign change has its diff.
    expect(has('RUN_PAUSE', 'demo')?.actor).toEqual({ kind: 'local', id: expect.stringContaining('@') });
    expect(has('DNC_ADD')?.details).toMatchObject({ added: 1 });
    expect(has('CAMPAIGN_PUT', 'demo')?.diff?.length).toBeGreaterThan(0);
    const forgets = entries.filter((entry) => entry.action === 'PERSON_FORGET');
    expect(forgets.map((entry) => entry.result.status)).toContain(200);
    expect(forgets.find((entry) => entry.result.status === 200)?.target).toEqual({ erasureId });
    // The audit log never names the person.
    expect(JSON.stringify(entries)).not.toContain('609551234');
  }, 240_000);
});
