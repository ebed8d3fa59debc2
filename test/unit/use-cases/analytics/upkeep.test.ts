/**
 * Upkeep of the fact files: compaction leaves one segment per round and the merged files go one round later;
 * retention deletes partitions by run date, even when compaction has just rewritten their rows; backfill adds only
 * the facts a run is missing, so it can run again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { backfillRun } from '../../../../functions/use-cases/analytics/backfill-run.ts';
import { addMissingFacts, upkeepFacts } from '../../../../functions/use-cases/analytics/compact-facts.ts';
import { recordFacts } from '../../../../functions/use-cases/analytics/record-facts.ts';
import { DirectoryFactStorage, FactQueries, latestAnswersAndReference } from './fact-harness.ts';
import { CAMPAIGN_ID, expandRun, RUN_DATE } from './run-model.ts';

const storages: DirectoryFactStorage[] = [];
afterEach(() => {
  for (const storage of storages.splice(0)) storage.dispose();
});

const RUN = expandRun(
  Array.from({ length: 12 }, (_, index) => ({
    clinic: index % 2 === 0 ? 'Wola' : 'Praga',
    timeZone: 'Europe/Warsaw',
    ending: 'FINAL' as const,
    followUp: 'SENT' as const,
    attempts: [
      {
        outcome: 'NO_ANSWER' as const,
        gapMinutes: 5,
        ringSeconds: 10,
        talkSeconds: 0,
        q1: '1' as const,
        q2: '1' as const,
        answeredBeforeEnd: 0 as const,
      },
      {
        outcome: 'COMPLETED' as const,
        gapMinutes: 5,
        ringSeconds: 10,
        talkSeconds: 30,
        q1: '2' as const,
        q2: '1' as const,
        answeredBeforeEnd: 0 as const,
      },
    ],
  })),
);

async function recordRun(storage: DirectoryFactStorage, now: number) {
  const byPhone = new Map(RUN.contacts.map((contact) => [contact.phone, contact]));
  let id = 0;
  await recordFacts(
    {
      contacts: {
        lookup: async (refs) =>
          new Map(refs.map((ref) => [`${ref.campaignId}#${ref.date}#${ref.phone}`, { ...byPhone.get(ref.phone) }])),
      },
      campaigns: { analyticsOf: async () => ({ callerId: '+48221234567', dimensions: ['clinic'] }) },
      dimensions: { admit: async (_c, _d, values) => new Set(values) },
      files: { write: (...args) => storage.write(...args) },
      now: () => now,
      newFileId: () => `r${id++}`,
      warn: () => undefined,
    },
    RUN.changes,
  );
}

const settings = { clockMarginMs: 60_000, settleMs: 3_900_000, retentionDays: 90, compactDays: 7 };
const DAY = 86_400_000;

describe('analytics upkeep', () => {
  it('compacts a partition into one segment, then removes the merged files', async () => {
    const storage = new DirectoryFactStorage();
    storages.push(storage);
    const written = Date.parse(`${RUN_DATE}T20:00:00Z`);
    await recordRun(storage, written);
    const queries = new FactQueries(storage);
    const before = await queries.rows(`SELECT count(*) AS n FROM attempts`);

    await upkeepFacts({ files: storage, now: () => written + 2 * 3_600_000, newFileId: () => 'a' }, settings);
    await upkeepFacts({ files: storage, now: () => written + 4 * 3_600_000, newFileId: () => 'b' }, settings);

    const attempts = storage.allKeys().filter((key) => key.startsWith('analytics/attempts/'));
    expect(attempts).toEqual([expect.stringMatching(/\/c-\d{13}-a\.parquet$/)]);
    expect(await queries.rows(`SELECT count(*) AS n FROM attempts`)).toEqual(before);
    expect(before).toEqual([{ n: 24n }]);
    queries.close();
  });

  it('drops partitions whose run date is past retention, even just after compaction rewrote them', async () => {
    const storage = new DirectoryFactStorage();
    storages.push(storage);
    const written = Date.parse(`${RUN_DATE}T20:00:00Z`);
    await recordRun(storage, written);
    // Compacted 89 days after the run: its segment is brand new when the run date passes 90 days.
    await upkeepFacts(
      { files: storage, now: () => written + 89 * DAY, newFileId: () => 'late' },
      { ...settings, compactDays: 100 },
    );
    expect(storage.allKeys().some((key) => key.includes('/c-'))).toBe(true);
    expect(storage.allKeys().some((key) => key.startsWith('analytics/latest_answers/'))).toBe(true);

    const report = await upkeepFacts({ files: storage, now: () => written + 91 * DAY, newFileId: () => 'x' }, settings);

    expect(storage.allKeys()).toEqual([]);
    expect(report.expired.map((partition) => partition.table).sort()).toEqual([
      'answers',
      'attempts',
      'contacts',
      'follow_ups',
      'latest_answers',
    ]);
  });

  it('backfills a run once, giving keys to contacts imported without one', async () => {
    const storage = new DirectoryFactStorage();
    storages.push(storage);
    const items = RUN.contacts.map(({ contactKey: _key, ...contact }) => contact as Record<string, unknown>);
    const assigned = new Map<string, string>();
    let next = 0;
    const ports = {
      runs: {
        items: async () => items,
        assignContactKey: async (_c: string, _d: string, phone: string, key: string) => {
          if (!assigned.has(phone)) assigned.set(phone, key);
          return assigned.get(phone) ?? key;
        },
      },
      campaigns: { analyticsOf: async () => ({ callerId: '+48221234567', dimensions: ['clinic'] }) },
      dimensions: { admit: async (_c: string, _d: string, values: Iterable<string>) => new Set(values) },
      files: storage,
      now: () => Date.parse('2026-04-01T00:00:00Z'),
      newFileId: () => `b${next++}`,
      newContactKey: () => (0x2000_0000_0000_0000n + BigInt(next++)).toString(16),
    };

    const first = await backfillRun(ports, CAMPAIGN_ID, RUN_DATE);
    const second = await backfillRun(ports, CAMPAIGN_ID, RUN_DATE);

    expect(first).toEqual({ attempts: 24, answers: 0, contacts: 12, follow_ups: 0 });
    expect(second).toEqual({ attempts: 0, answers: 0, contacts: 0, follow_ups: 0 });
    expect(assigned.size).toBe(12);
    const queries = new FactQueries(storage);
    expect(await queries.rows(`SELECT count(*) AS n, count(DISTINCT contact_key) AS c FROM attempts`)).toEqual([
      { n: 24n, c: 12n },
    ]);
    queries.close();
  });

  it('gives a partition compacted before snapshots existed its latest-answers snapshot', async () => {
    const storage = new DirectoryFactStorage();
    storages.push(storage);
    const written = Date.parse(`${RUN_DATE}T20:00:00Z`);
    await recordRun(storage, written);
    await upkeepFacts({ files: storage, now: () => written + 2 * 3_600_000, newFileId: () => 'a' }, settings);
    await upkeepFacts({ files: storage, now: () => written + 4 * 3_600_000, newFileId: () => 'b' }, settings);
    // As a partition compacted by an earlier version: answer segments, no snapshot.
    await storage.remove(storage.allKeys().filter((key) => key.startsWith('analytics/latest_answers/')));
    const queries = new FactQueries(storage);
    expect(await queries.rows('SELECT count(*) AS n FROM latest_answers')).toEqual([{ n: 0n }]);

    const report = await upkeepFacts(
      { files: storage, now: () => written + 6 * 3_600_000, newFileId: () => 'c' },
      settings,
    );

    expect(report.snapshots).toEqual([{ campaignId: CAMPAIGN_ID, date: RUN_DATE, rows: 24 }]);
    const { latest, reference } = await latestAnswersAndReference(queries);
    expect(latest).toHaveLength(24);
    expect(latest).toEqual(reference);
    queries.close();
  });

  it('puts backfilled answers into the snapshot, once', async () => {
    const storage = new DirectoryFactStorage();
    storages.push(storage);
    const written = Date.parse(`${RUN_DATE}T20:00:00Z`);
    await recordRun(storage, written);
    const ports = { files: storage, now: () => written + 2 * 3_600_000, newFileId: () => 'a' };
    await upkeepFacts(ports, settings);
    const queries = new FactQueries(storage);
    const [answer] = await queries.rows(
      "SELECT * EXCLUDE (campaign, run_date) FROM answers WHERE question_id = 'q1' ORDER BY contact_key LIMIT 1",
    );
    // A later call's answer the stream lost (its records went to the dead-letter queue): backfill adds it.
    const lost = { ...answer, attempt: 3, answer_key: '1', label: 'Yes' } as Parameters<typeof addMissingFacts>[4][0];

    const added = await addMissingFacts({ ...ports, newFileId: () => 'f1' }, 'answers', CAMPAIGN_ID, RUN_DATE, [lost]);
    const again = await addMissingFacts({ ...ports, newFileId: () => 'f2' }, 'answers', CAMPAIGN_ID, RUN_DATE, [lost]);

    expect([added, again]).toEqual([1, 0]);
    const { latest, reference } = await latestAnswersAndReference(queries);
    expect(latest).toEqual(reference);
    expect(latest).toContain(`${answer?.contact_key}/q1/3/1/${RUN_DATE}`);
    expect(storage.allKeys().filter((key) => key.includes('latest_answers/') && key.endsWith('-f2.parquet'))).toEqual(
      [],
    );
    queries.close();
  });
});
