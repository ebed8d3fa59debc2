import { describe, expect, it } from 'vitest';
import { contactKey, personLedgerKey } from '../../../../functions/core/keys.ts';
import {
  type DoNotCallState,
  type ErasureRecord,
  ErasureRefusedError,
  forgetPerson,
  type PeoplePorts,
  type StoredItem,
  sameNumber,
  showPerson,
} from '../../../../functions/use-cases/people/person-data.ts';

const PHONE = '+48601234567';
const NOW = new Date('2026-03-05T10:00:00Z');

/** A small table, bucket set and do-not-call list in memory, keyed as DynamoDB and S3 key them. */
function world(options: { dialing?: boolean; importing?: boolean; plainDnc?: boolean } = {}) {
  const key = (item: { pk: string; sk: string }) => `${item.pk}|${item.sk}`;
  const table = new Map<string, StoredItem>();
  const put = (item: StoredItem) => table.set(key(item), item);
  const contact = (campaignId: string, date: string, status: string) =>
    put({
      ...contactKey(campaignId, date, PHONE),
      phone: PHONE,
      status,
      attempts: 1,
      attemptLog: [],
      timeZone: 'Europe/Warsaw',
    });
  contact('flu', '2026-03-02', 'COMPLETED');
  contact('flu', '2026-03-05', options.dialing ? 'DIALING' : 'PENDING');
  put({ pk: contactKey('flu', '2026-03-02', PHONE).pk, sk: `ANSWER#${PHONE}#1#q1`, phone: PHONE, key: '1' });
  put({ pk: 'CALL#abc', sk: 'CALL', phone: PHONE, campaignId: 'flu', date: '2026-03-02', attempt: 1 });
  put({
    ...personLedgerKey(PHONE),
    version: 2,
    calls: [{ id: 'flu#2026-03-02#1', at: '2026-03-02T09:00:00Z', purpose: 'INFORMATIONAL' }],
    events: [],
  });
  put({
    pk: 'RUN#flu#2026-03-02',
    sk: 'LIST#l1',
    listId: 'l1',
    status: 'DONE',
    objectKey: 'lists/flu/2026-03-02/l1.csv',
    rejectedKey: 'rejected/l1.csv',
    summary: {
      errors: [
        { line: 3, value: '601 234 567' },
        { line: 4, value: '12' },
      ],
    },
  });
  put({
    pk: 'RUN#flu#2026-03-05',
    sk: 'LIST#l2',
    listId: 'l2',
    status: options.importing ? 'IMPORTING' : 'DONE',
    objectKey: 'lists/flu/2026-03-05/l2.csv',
  });
  put({ pk: 'RUN#flu#2026-03-02', sk: 'EXPORT#e1', status: 'DONE', key: 'exports/flu/2026-03-02/e1.csv' });
  put({
    pk: 'RUN#other#2026-03-02',
    sk: 'LIST#l9',
    listId: 'l9',
    status: 'DONE',
    objectKey: 'lists/other/2026-03-02/l9.csv',
  });
  const uploads = new Set([
    'lists/flu/2026-03-02/l1.csv',
    'rejected/l1.csv',
    'lists/flu/2026-03-05/l2.csv',
    'lists/other/2026-03-02/l9.csv',
  ]);
  const reports = new Set([
    'exports/flu/2026-03-02/e1.csv',
    'exports/flu/2026-03-02/e2.xlsx',
    'reports/flu/2026-03-02/summary.json',
  ]);
  let dnc: DoNotCallState = { listed: true, source: 'opt-out', plain: options.plainDnc ?? false };
  const erasures: ErasureRecord[] = [];
  const closed: string[] = [];
  const files = (set: Set<string>) => ({
    keys: async (prefix: string) => [...set].filter((name) => name.startsWith(prefix)),
    delete: async (name: string) => void set.delete(name),
  });
  const ports: PeoplePorts = {
    records: {
      itemsOf: async (phone) =>
        [...table.values()].filter(
          (item) => item.phone === phone || item.pk === `PERSON#${phone}` || item.sk.includes(phone),
        ),
      runRecords: async (campaignId, date) => {
        const inRun = [...table.values()].filter((item) => item.pk === `RUN#${campaignId}#${date}`);
        return {
          lists: inRun.filter((item) => item.sk.startsWith('LIST#')),
          exports: inRun.filter((item) => item.sk.startsWith('EXPORT#')),
        };
      },
      delete: async (keys) => {
        for (const deleted of keys) table.delete(key(deleted));
      },
      replaceListErrors: async (list, errors) => {
        const stored = table.get(key(list));
        if (stored !== undefined) stored.summary = { ...(stored.summary as object), errors };
      },
      markListFilesErased: async (list) => {
        const stored = table.get(key(list));
        if (stored !== undefined) stored.filesErasedAt = NOW.toISOString();
      },
      expireExportJob: async (job) => {
        const stored = table.get(key(job));
        if (stored !== undefined) stored.status = 'FAILED';
      },
      recordErasure: async (record) => void erasures.push(record),
    },
    contacts: {
      closeWaiting: async (campaignId, date) => {
        closed.push(`${campaignId}#${date}`);
        return true;
      },
    },
    doNotCall: {
      entry: async () => dnc,
      hashPlainEntry: async () => {
        const was = dnc.plain;
        dnc = { ...dnc, plain: false };
        return was;
      },
    },
    uploads: files(uploads),
    reports: files(reports),
    clock: { now: () => NOW },
  };
  return { ports, table, uploads, reports, erasures, closed };
}

describe('showPerson', () => {
  it('shows every contact, answer, call, the ledger, the do-not-call state, lists and exports of the runs', async () => {
    const { ports } = world();
    const view = await showPerson(ports, PHONE);
    expect(view.runs).toEqual([
      { campaignId: 'flu', date: '2026-03-02' },
      { campaignId: 'flu', date: '2026-03-05' },
    ]);
    expect(view.contacts.map((contact) => contact.status)).toEqual(['COMPLETED', 'PENDING']);
    expect(view.contacts[0]).toMatchObject({ campaignId: 'flu', date: '2026-03-02', phone: PHONE });
    expect(view.answers).toHaveLength(1);
    expect(view.calls).toHaveLength(1);
    expect(view.contactLedger).toHaveLength(1);
    expect(view.doNotCall).toEqual({ listed: true, source: 'opt-out' });
    expect(view.lists.map((list) => list.listId)).toEqual(['l1', 'l2']);
    expect(view.exports.map((file) => file.key)).toEqual([
      'exports/flu/2026-03-02/e1.csv',
      'exports/flu/2026-03-02/e2.xlsx',
    ]);
  });
});

describe('forgetPerson', () => {
  it('removes every item and file of the number, keeps the do-not-call entry hashed, and records what it did', async () => {
    const { ports, table, uploads, reports, erasures, closed } = world({ plainDnc: true });
    const record = await forgetPerson(ports, PHONE, { kind: 'local', id: 'alice' });

    expect([...table.values()].filter((item) => JSON.stringify(item).includes('601234567'))).toEqual([]);
    expect([...table.values()].some((item) => JSON.stringify(item).includes('601 234 567'))).toBe(false);
    expect(closed).toEqual(['flu#2026-03-05']);
    expect([...uploads]).toEqual(['lists/other/2026-03-02/l9.csv']);
    expect([...reports]).toEqual(['reports/flu/2026-03-02/summary.json']);
    expect(table.get('RUN#flu#2026-03-02|EXPORT#e1')?.status).toBe('FAILED');
    expect(record).toMatchObject({
      by: { kind: 'local', id: 'alice' },
      runs: 2,
      removed: {
        contacts: 2,
        waitingContactsClosed: 1,
        answers: 1,
        callRecords: 1,
        ledger: 1,
        doNotCallEntriesHashed: 1,
        listRejectionsShown: 1,
        uploadedFiles: 3,
        exportFiles: 2,
        exportJobsExpired: 1,
      },
    });
    expect(erasures).toEqual([record]);
    expect(JSON.stringify(record)).not.toContain('601234567');
  });

  it('refuses while the person is in a call, or a run of theirs imports a list', async () => {
    await expect(forgetPerson(world({ dialing: true }).ports, PHONE, { kind: 'local', id: 'a' })).rejects.toMatchObject(
      {
        code: 'CALL_IN_PROGRESS',
      },
    );
    await expect(
      forgetPerson(world({ importing: true }).ports, PHONE, { kind: 'local', id: 'a' }),
    ).rejects.toBeInstanceOf(ErasureRefusedError);
  });
});

describe('sameNumber', () => {
  it('recognises the number as a list cell may have held it', () => {
    for (const cell of ['+48 601 234 567', '601-234-567', '0048601234567', '(601) 234 567'])
      expect(sameNumber(cell, PHONE), cell).toBe(true);
    for (const cell of ['601 234 568', '12', '', undefined, 42])
      expect(sameNumber(cell, PHONE), String(cell)).toBe(false);
  });
});
