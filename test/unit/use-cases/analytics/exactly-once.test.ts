/**
 * Each fact appears exactly once in every query result: the real views (config/analytics-catalog.cjs) on DuckDB over
 * real Parquet files, while the stream delivers batches twice, splits them after failed writes, and compaction merges
 * and deletes files in between. Every intermediate state is queried.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { FACT_TABLE_NAMES, FACT_TABLES, type FactTableName } from '../../../../functions/core/analytics/fact-tables.ts';
import type { FactRow } from '../../../../functions/core/analytics/facts.ts';
import { compactPartition } from '../../../../functions/use-cases/analytics/compact-facts.ts';
import {
  type RecordFactsPorts,
  recordFacts,
  type StreamChange,
} from '../../../../functions/use-cases/analytics/record-facts.ts';
import { DirectoryFactStorage, FactQueries, latestAnswersAndReference } from './fact-harness.ts';
import { CAMPAIGN_ID, type ContactItem, expandRun, RUN_DATE, runSpecArbitrary } from './run-model.ts';

const SETTINGS = { clockMarginMs: 1_000, settleMs: 60_000 };

/** Ports of recordFacts over a storage, with a clock the test moves. */
function portsFor(storage: DirectoryFactStorage, contacts: readonly ContactItem[], clock: { now: number }) {
  let id = 0;
  const byRef = new Map(contacts.map((contact) => [`${CAMPAIGN_ID}#${RUN_DATE}#${contact.phone}`, contact]));
  const ports: RecordFactsPorts = {
    contacts: {
      lookup: async (refs) => {
        const found = new Map<string, Record<string, unknown>>();
        for (const ref of refs) {
          const id = `${ref.campaignId}#${ref.date}#${ref.phone}`;
          const item = byRef.get(id);
          if (item !== undefined) found.set(id, { ...item });
        }
        return found;
      },
    },
    campaigns: { analyticsOf: async () => ({ callerId: '+48221234567', dimensions: ['clinic'] }) },
    dimensions: { admit: async (_campaign, _dimension, values) => new Set(values) },
    files: { write: (...args) => storage.write(...args) },
    now: () => clock.now,
    newFileId: () => (id++).toString(16),
    warn: () => undefined,
  };
  return ports;
}

const keyOf = (table: FactTableName, row: Record<string, unknown>) =>
  FACT_TABLES[table].key.map((column) => String(row[column])).join('/');

/** The fact keys each change gives, derived alone (what "delivered" means for the checks). */
async function factKeysOf(changes: readonly StreamChange[], contacts: readonly ContactItem[]) {
  const captured = new Map<FactTableName, Set<string>>(FACT_TABLE_NAMES.map((table) => [table, new Set()]));
  const storage = new DirectoryFactStorage();
  const ports = portsFor(storage, contacts, { now: 0 });
  ports.files = {
    write: async (table: FactTableName, _campaign: string, _date: string, _name: string, rows: FactRow[]) => {
      for (const row of rows) captured.get(table)?.add(keyOf(table, row));
    },
  };
  await recordFacts(ports, changes);
  storage.dispose();
  return captured;
}

/** What the views return now: the keys of each table, and whether any key came twice. */
async function visibleFacts(queries: FactQueries) {
  const visible = new Map<FactTableName, string[]>();
  for (const table of FACT_TABLE_NAMES) {
    const columns = FACT_TABLES[table].key.join(', ');
    const rows = await queries.rows(`SELECT ${columns} FROM ${table}`);
    visible.set(
      table,
      rows.map((row) => keyOf(table, row)),
    );
  }
  return visible;
}

const storages: DirectoryFactStorage[] = [];
const queriesToClose: FactQueries[] = [];
afterEach(() => {
  for (const storage of storages.splice(0)) storage.dispose();
  for (const queries of queriesToClose.splice(0)) queries.close();
});

function harness() {
  const storage = new DirectoryFactStorage();
  const queries = new FactQueries(storage);
  storages.push(storage);
  queriesToClose.push(queries);
  return { storage, queries };
}

/** Asserts every delivered fact is visible exactly once and nothing unknown is. */
async function expectExactlyOnce(
  queries: FactQueries,
  delivered: ReadonlyMap<FactTableName, ReadonlySet<string>>,
  all: ReadonlyMap<FactTableName, ReadonlySet<string>>,
  when: string,
) {
  const visible = await visibleFacts(queries);
  for (const table of FACT_TABLE_NAMES) {
    const keys = visible.get(table) ?? [];
    const duplicates = keys.filter((key, index) => keys.indexOf(key) !== index);
    expect(duplicates, `${table} repeated ${when}`).toEqual([]);
    const missing = [...(delivered.get(table) ?? [])].filter((key) => !keys.includes(key));
    expect(missing, `${table} missing ${when}`).toEqual([]);
    const unknown = keys.filter((key) => !all.get(table)?.has(key));
    expect(unknown, `${table} unknown ${when}`).toEqual([]);
  }
  await expectLatestAnswers(queries, when);
}

/**
 * The latest_answers view (snapshots and fresh batch files) gives each contact's latest answer to each question as
 * the answers view shows it: one row per contact and question, the answer of its highest attempt.
 */
async function expectLatestAnswers(queries: FactQueries, when: string) {
  const { latest, reference } = await latestAnswersAndReference(queries);
  expect(latest, `latest answers ${when}`).toEqual(reference);
}

const RUN = expandRun([
  {
    clinic: 'Wola',
    timeZone: 'Europe/Warsaw',
    ending: 'FINAL',
    followUp: 'SENT',
    attempts: [
      { outcome: 'NO_ANSWER', gapMinutes: 1, ringSeconds: 30, talkSeconds: 0, q1: '1', q2: '1', answeredBeforeEnd: 0 },
      { outcome: 'COMPLETED', gapMinutes: 20, ringSeconds: 9, talkSeconds: 60, q1: '2', q2: '1', answeredBeforeEnd: 1 },
    ],
  },
  {
    clinic: ' Praga ',
    timeZone: 'America/New_York',
    ending: 'EXPIRE',
    followUp: 'FAILED',
    attempts: [
      { outcome: 'PARTIAL', gapMinutes: 2, ringSeconds: 5, talkSeconds: 20, q1: '1', q2: '2', answeredBeforeEnd: 1 },
      { outcome: 'BUSY', gapMinutes: 30, ringSeconds: 3, talkSeconds: 0, q1: '1', q2: '2', answeredBeforeEnd: 0 },
    ],
  },
]);

describe('facts from the stream, exactly once', () => {
  it('counts a batch delivered twice once', async () => {
    const { storage, queries } = harness();
    const clock = { now: Date.parse('2026-03-28T00:00:00Z') };
    const ports = portsFor(storage, RUN.contacts, clock);
    const all = await factKeysOf(RUN.changes, RUN.contacts);

    await recordFacts(ports, RUN.changes);
    clock.now += 1_000;
    await recordFacts(ports, RUN.changes);

    expect(storage.allKeys().filter((key) => key.startsWith('analytics/attempts/')).length).toBe(2);
    await expectExactlyOnce(queries, all, all, 'after the replay');
    expect(all.get('attempts')?.size).toBe(4);
    expect(all.get('answers')?.size).toBe(3);
    expect(all.get('contacts')?.size).toBe(2);
    expect(all.get('follow_ups')?.size).toBe(1);
  });

  it('counts a batch split after a failed write once, and reports where to deliver from', async () => {
    const { storage, queries } = harness();
    const clock = { now: Date.parse('2026-03-28T00:00:00Z') };
    const ports = portsFor(storage, RUN.contacts, clock);
    const all = await factKeysOf(RUN.changes, RUN.contacts);
    storage.failWrites = (table) => table === 'answers';

    const failed = await recordFacts(ports, RUN.changes);
    // The answers' first record: everything from there is delivered again (partial batch response).
    const firstAnswer = RUN.changes.findIndex((change) => change.sk.startsWith('ANSWER#'));
    expect(failed.retryFrom).toBe(RUN.changes[firstAnswer]?.sequenceNumber);

    storage.failWrites = () => false;
    const rest = RUN.changes.slice(firstAnswer);
    const middle = Math.floor(rest.length / 2);
    // Lambda bisects the batch it delivers again: two halves.
    expect((await recordFacts(ports, rest.slice(0, middle))).retryFrom).toBeUndefined();
    expect((await recordFacts(ports, rest.slice(middle))).retryFrom).toBeUndefined();

    await expectExactlyOnce(queries, all, all, 'after the split');
  });

  it('keeps every fact once through compaction, whatever batches, repeats, splits and compactions do', async () => {
    await fc.assert(
      fc.asyncProperty(
        runSpecArbitrary,
        fc.array(
          fc.record({
            size: fc.integer({ min: 1, max: 12 }),
            repeat: fc.boolean(),
            failTable: fc.option(fc.constantFrom(...FACT_TABLE_NAMES), { freq: 3 }),
            compactAfter: fc.boolean(),
            /** Compaction runs this long after the batch: recent facts are still young, not settled. */
            compactDelaySeconds: fc.integer({ min: 2, max: 90 }),
            lagSeconds: fc.integer({ min: 0, max: 120 }),
          }),
          { minLength: 1, maxLength: 30 },
        ),
        async (specs, schedule) => {
          const run = expandRun(specs);
          const { storage, queries } = harness();
          const clock = { now: 0 };
          const ports = portsFor(storage, run.contacts, clock);
          const all = await factKeysOf(run.changes, run.contacts);
          const delivered = new Map<FactTableName, Set<string>>(FACT_TABLE_NAMES.map((table) => [table, new Set()]));
          let step = 'start';
          storage.afterChange = () => expectExactlyOnce(queries, delivered, all, step);
          let position = 0;
          for (let index = 0; position < run.changes.length; index++) {
            const plan = schedule[index % schedule.length] ?? {
              size: 5,
              repeat: false,
              failTable: null,
              compactAfter: false,
              compactDelaySeconds: 2,
              lagSeconds: 0,
            };
            const batch = run.changes.slice(position, position + plan.size);
            // Writers' clocks never run behind the compaction's by more than the margin: here they never do.
            clock.now = Math.max(clock.now, (batch.at(-1)?.recordedAt.getTime() ?? 0) + plan.lagSeconds * 1_000);
            step = `batch ${index}`;
            storage.failWrites = (table) => table === plan.failTable;
            const first = await recordFacts(ports, batch);
            storage.failWrites = () => false;
            let retried = batch;
            if (first.retryFrom !== undefined) {
              retried = batch.slice(batch.findIndex((change) => change.sequenceNumber === first.retryFrom));
              const half = Math.max(1, Math.floor(retried.length / 2));
              for (const part of [retried.slice(0, half), retried.slice(half)]) {
                if (part.length > 0) expect((await recordFacts(ports, part)).retryFrom).toBeUndefined();
              }
            }
            if (plan.repeat) await recordFacts(ports, batch);
            for (const [table, keys] of await factKeysOf(batch, run.contacts)) {
              for (const key of keys) delivered.get(table)?.add(key);
            }
            position += batch.length;
            step = `after batch ${index}`;
            await expectExactlyOnce(queries, delivered, all, step);
            if (plan.compactAfter) {
              clock.now += plan.compactDelaySeconds * 1_000;
              for (const table of FACT_TABLE_NAMES) {
                step = `compacting ${table} after batch ${index}`;
                await compactPartition(
                  { files: storage, now: () => clock.now, newFileId: () => `c${index}` },
                  SETTINGS,
                  table,
                  CAMPAIGN_ID,
                  RUN_DATE,
                );
              }
            }
          }
          // Much later: everything settles into segments, and the merged files go.
          for (const round of [1, 2]) {
            clock.now += 3_600_000;
            for (const table of FACT_TABLE_NAMES) {
              step = `final compaction ${round} of ${table}`;
              await compactPartition(
                { files: storage, now: () => clock.now, newFileId: () => `f${round}` },
                SETTINGS,
                table,
                CAMPAIGN_ID,
                RUN_DATE,
              );
            }
          }
          await expectExactlyOnce(queries, all, all, 'at the end');
          expect(storage.allKeys().every((key) => /\/c-\d{13}-[a-z0-9]+\.parquet$/.test(key))).toBe(true);
        },
      ),
      { numRuns: 6 },
    );
  }, 300_000);
});
