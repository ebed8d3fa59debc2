/**
 * Every named analysis, run on the facts of random runs (the real views on DuckDB over real Parquet), equals a
 * reference computed independently from the per-contact export of the same runs (the export's own rows: status,
 * attempt log in the callee's time, latest answers by label, follow-ups).
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type AnalysisName,
  AnalysisParametersSchema,
  type Cell,
} from '../../../../functions/core/analytics/analyses.ts';
import { FACT_TABLE_NAMES } from '../../../../functions/core/analytics/fact-tables.ts';
import { parseCampaign } from '../../../../functions/core/campaign.ts';
import { contactRow, exportColumns } from '../../../../functions/core/report/contact-rows.ts';
import { compactPartition } from '../../../../functions/use-cases/analytics/compact-facts.ts';
import { recordFacts } from '../../../../functions/use-cases/analytics/record-facts.ts';
import { runAnalysis } from '../../../../functions/use-cases/analytics/run-analysis.ts';
import { DirectoryFactStorage, FactQueries } from './fact-harness.ts';
import {
  CAMPAIGN_ID,
  type ContactItem,
  expandRun,
  exportedLocalTime,
  QUESTIONS,
  RUN_DATE,
  runSpecArbitrary,
} from './run-model.ts';

const campaign = parseCampaign({
  id: CAMPAIGN_ID,
  name: 'Model',
  defaultCountry: 'PL',
  timeZone: 'Europe/Warsaw',
  callerId: '+48221234567',
  script: {
    greeting: 'Hello',
    closing: 'Bye',
    questions: QUESTIONS.map((question) => ({ id: question.id, prompt: question.prompt, keys: question.keys })),
  },
  analytics: { dimensions: ['clinic'] },
});

// ---------------------------------------------------------------------------------------------------------------
// The reference: from the export's rows only.

interface ExportedContact {
  clinic: string | null;
  status: string;
  attempts: Array<{ n: number; outcome: string; hour: number; weekday: number }>;
  /** Latest answer keys by question, from the export's labels. */
  answers: Record<string, string>;
  followUps: string[];
}

const REACHED = new Set(['COMPLETED', 'PARTIAL', 'OPTED_OUT']);

function exportedContacts(contacts: readonly ContactItem[], followUps: Map<string, string[]>): ExportedContact[] {
  const columns = exportColumns(['clinic'], QUESTIONS);
  const at = (row: string[], name: string) => row[columns.indexOf(name)] ?? '';
  return contacts.map((contact) => {
    const row = contactRow(contact, ['clinic'], QUESTIONS, followUps.get(contact.phone) ?? []);
    const clinic = at(row, 'clinic').trim().replace(/\s+/g, ' ');
    const log = at(row, 'attempt_log');
    return {
      clinic: clinic === '' ? null : clinic,
      status: at(row, 'status'),
      attempts: (log === '' ? [] : log.split('; ')).map((entry) => ({
        n: Number(entry.split(' ')[0]),
        outcome: entry.split(' ').at(-1) ?? '',
        ...exportedLocalTime(entry),
      })),
      answers: Object.fromEntries(
        QUESTIONS.flatMap((question) => {
          const label = at(row, `answer_${question.id}`);
          const key = Object.entries(question.keys).find(([, text]) => text === label)?.[0];
          return key === undefined ? [] : [[question.id, key]];
        }),
      ),
      followUps: at(row, 'follow_ups') === '' ? [] : at(row, 'follow_ups').split('; '),
    };
  });
}

const share = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : null);
const count = <T>(items: readonly T[], test: (item: T) => boolean) => items.filter(test).length;
const labelOf = (question: string, key: string) =>
  (QUESTIONS.find((q) => q.id === question)?.keys as Record<string, string> | undefined)?.[key] ?? null;

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

/** The reference rows of each analysis (sorted as the analyses sort them). */
function reference(name: string, contacts: ExportedContact[]): Cell[][] {
  const rows: Cell[][] = [];
  switch (name) {
    case 'outcomes by clinic':
    case 'trend of outcomes': {
      for (const [clinicKey, members] of groupBy(contacts, (contact) => JSON.stringify(contact.clinic))) {
        const clinic = JSON.parse(clinicKey) as string | null;
        const head: Cell[] = name === 'trend of outcomes' ? [RUN_DATE] : [clinic];
        const attempts = members.flatMap((contact) => contact.attempts);
        const called = count(members, (contact) => contact.attempts.length > 0);
        const outcomes = new Set([...members.map((contact) => contact.status), ...attempts.map((a) => a.outcome)]);
        for (const outcome of outcomes) {
          const finished = count(members, (contact) => contact.status === outcome);
          rows.push([
            ...head,
            outcome,
            finished,
            count(attempts, (a) => a.outcome === outcome),
            share(finished, members.length),
          ]);
        }
        const reached = count(members, (contact) => contact.attempts.some((a) => REACHED.has(a.outcome)));
        rows.push([...head, 'CALLED', called, attempts.length, null]);
        rows.push([
          ...head,
          'REACHED',
          reached,
          count(attempts, (a) => REACHED.has(a.outcome)),
          share(reached, called),
        ]);
      }
      if (name === 'trend of outcomes') return mergeTrend(rows);
      return rows;
    }
    case 'answers q1 by clinic': {
      const answered = contacts.filter((contact) => contact.answers.q1 !== undefined);
      for (const [clinicKey, members] of groupBy(answered, (contact) => JSON.stringify(contact.clinic))) {
        for (const [key, withKey] of groupBy(members, (contact) => contact.answers.q1 ?? '')) {
          rows.push([
            JSON.parse(clinicKey),
            key,
            labelOf('q1', key),
            withKey.length,
            share(withKey.length, members.length),
          ]);
        }
      }
      return rows;
    }
    case 'answers q2 of q1 = 2': {
      const answered = contacts.filter((contact) => contact.answers.q1 === '2' && contact.answers.q2 !== undefined);
      for (const [key, withKey] of groupBy(answered, (contact) => contact.answers.q2 ?? '')) {
        rows.push([key, labelOf('q2', key), withKey.length, share(withKey.length, answered.length)]);
      }
      return rows;
    }
    case 'crosstab q1 by q2': {
      const both = contacts.filter((contact) => contact.answers.q1 !== undefined);
      for (const [pair, members] of groupBy(both, (contact) =>
        JSON.stringify([contact.answers.q2 ?? null, contact.answers.q1]),
      )) {
        const [q2, q1] = JSON.parse(pair) as [string | null, string];
        const rowTotal = count(both, (contact) => contact.answers.q1 === q1);
        const columnTotal = count(both, (contact) => (contact.answers.q2 ?? null) === q2);
        rows.push([
          q2,
          q2 === null ? null : labelOf('q2', q2),
          q1,
          labelOf('q1', q1),
          members.length,
          share(members.length, rowTotal),
          share(members.length, columnTotal),
        ]);
      }
      return rows;
    }
    case 'reach-by-attempt': {
      const called = count(contacts, (contact) => contact.attempts.length > 0);
      const numbers = [...new Set(contacts.flatMap((contact) => contact.attempts.map((a) => a.n)))].sort(
        (a, b) => a - b,
      );
      let cumulative = 0;
      for (const n of numbers) {
        const reachedAt = count(contacts, (contact) => contact.attempts.find((a) => REACHED.has(a.outcome))?.n === n);
        cumulative += reachedAt;
        const attempts = contacts.flatMap((contact) => contact.attempts).filter((a) => a.n === n).length;
        rows.push([n, reachedAt, attempts, share(reachedAt, called), share(cumulative, called)]);
      }
      return rows;
    }
    case 'hours': {
      const attempts = contacts.flatMap((contact) =>
        contact.attempts.map((attempt) => ({
          ...attempt,
          first: attempt.n === contact.attempts.find((a) => REACHED.has(a.outcome))?.n,
        })),
      );
      for (const [slot, members] of groupBy(attempts, (a) => `${a.weekday}:${a.hour}`)) {
        const [weekday, hour] = slot.split(':').map(Number);
        rows.push([
          weekday ?? null,
          hour ?? null,
          count(members, (a) => a.first),
          members.length,
          share(
            count(members, (a) => REACHED.has(a.outcome)),
            members.length,
          ),
        ]);
      }
      return rows;
    }
    case 'funnel': {
      const reached = count(contacts, (contact) => contact.attempts.some((a) => REACHED.has(a.outcome)));
      const steps: Array<[string, number]> = [
        ['reached', reached],
        ...QUESTIONS.map((question): [string, number] => [
          `answered ${question.id}`,
          count(contacts, (c) => c.answers[question.id] !== undefined),
        ]),
        ['completed', count(contacts, (contact) => contact.attempts.some((a) => a.outcome === 'COMPLETED'))],
      ];
      return steps.map(([step, value], index) => [
        step,
        value,
        share(value, reached),
        index === 0 ? null : (steps[index - 1]?.[1] ?? 0) - value,
      ]);
    }
    case 'follow-ups': {
      const sent = contacts.flatMap((contact) => contact.followUps);
      for (const [entry, members] of groupBy(sent, (item) => item)) {
        const [rule = '', status = ''] = entry.split(':');
        rows.push([
          rule,
          status,
          members.length,
          share(
            members.length,
            count(sent, (item) => item.startsWith(`${rule}:`)),
          ),
        ]);
      }
      return rows;
    }
  }
  throw new Error(`no reference for ${name}`);
}

/** A trend's rows are per day: the clinic groups of one day add up. */
function mergeTrend(rows: Cell[][]): Cell[][] {
  const merged = new Map<string, Cell[]>();
  for (const row of rows) {
    const key = `${row[0]}|${row[1]}`;
    const previous = merged.get(key);
    merged.set(
      key,
      previous === undefined
        ? [...row]
        : [
            row[0] ?? null,
            row[1] ?? null,
            Number(previous[2]) + Number(row[2]),
            Number(previous[3]) + Number(row[3]),
            null,
          ],
    );
  }
  return [...merged.values()];
}

const ANALYSES: Array<{ name: string; analysis: AnalysisName; query: Record<string, string> }> = [
  { name: 'outcomes by clinic', analysis: 'outcomes', query: { by: 'clinic' } },
  { name: 'answers q1 by clinic', analysis: 'answers', query: { question: 'q1', by: 'clinic' } },
  { name: 'answers q2 of q1 = 2', analysis: 'answers', query: { question: 'q2', answer: 'q1:2' } },
  { name: 'crosstab q1 by q2', analysis: 'crosstab', query: { question: 'q1', by: 'q2' } },
  { name: 'reach-by-attempt', analysis: 'reach-by-attempt', query: {} },
  { name: 'hours', analysis: 'hours', query: {} },
  { name: 'funnel', analysis: 'funnel', query: {} },
  { name: 'follow-ups', analysis: 'follow-ups', query: {} },
  { name: 'trend of outcomes', analysis: 'trend', query: { of: 'outcomes' } },
];

const sortRows = (rows: Cell[][]) => [...rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

/** Shares of rows whose total is a sum of groups (trend) are recomputed: compare the counts there. */
function comparable(name: string, rows: Cell[][]): Cell[][] {
  if (name !== 'trend of outcomes') return sortRows(rows);
  return sortRows(rows.map((row) => row.slice(0, 4)));
}

const storages: DirectoryFactStorage[] = [];
afterAll(() => {
  for (const storage of storages) storage.dispose();
});

/**
 * Records a run's changes up to `first` and compacts them (segments and a latest-answers snapshot), then records the
 * rest twice (a replay) and checks every analysis against the export's reference; then again all compacted.
 */
async function expectReferenceAcrossCompaction(
  specs: Parameters<typeof expandRun>[0],
  firstOf: (changes: ReturnType<typeof expandRun>['changes']) => number,
) {
  const run = expandRun(specs);
  const storage = new DirectoryFactStorage();
  storages.push(storage);
  const byPhone = new Map(run.contacts.map((contact) => [contact.phone, contact]));
  let fileId = 0;
  const record = (changes: typeof run.changes, now: number) =>
    recordFacts(
      {
        contacts: {
          lookup: async (refs) =>
            new Map(refs.map((ref) => [`${ref.campaignId}#${ref.date}#${ref.phone}`, { ...byPhone.get(ref.phone) }])),
        },
        campaigns: { analyticsOf: async () => ({ callerId: campaign.callerId, dimensions: ['clinic'] }) },
        dimensions: { admit: async (_campaign, _dimension, values) => new Set(values) },
        files: { write: (...args) => storage.write(...args) },
        now: () => now,
        newFileId: () => `x${fileId++}`,
        warn: () => undefined,
      },
      changes,
    );
  const compact = async (now: number) => {
    for (const table of FACT_TABLE_NAMES) {
      await compactPartition(
        { files: storage, now: () => now, newFileId: () => `c${fileId++}` },
        { clockMarginMs: 1_000, settleMs: 60_000 },
        table,
        CAMPAIGN_ID,
        RUN_DATE,
      );
    }
  };
  const queries = new FactQueries(storage);
  const exported = exportedContacts(run.contacts, run.followUps);
  const expectReference = async (when: string) => {
    for (const { name, analysis, query } of ANALYSES) {
      const parameters = AnalysisParametersSchema.parse({ campaign: CAMPAIGN_ID, date: RUN_DATE, ...query });
      const outcome = await runAnalysis(
        {
          campaigns: { get: async () => ({ campaign }) },
          queries: {
            run: async (sql) => {
              const rows = await queries.rows(sql);
              const columns = Object.keys(rows[0] ?? {});
              return {
                columns: (columns.length > 0
                  ? columns
                  : ['part', 'day', 'g1', 'g1_label', 'g2', 'g2_label', 'item', 'item_label', 'n1', 'n2', 'n3']
                ).map((column) => ({ name: column })),
                rows: rows.map((row) => columns.map((column) => (row[column] == null ? null : String(row[column])))),
                bytesScanned: 0,
                submittedAt: new Date(),
              };
            },
          },
          minCell: 1,
        },
        analysis,
        parameters,
      );
      if (outcome.kind !== 'RESULT') throw new Error(`${name}: ${JSON.stringify(outcome)}`);
      expect(comparable(name, outcome.result.rows), `${name} ${when}`).toEqual(
        comparable(name, reference(name, exported)),
      );
    }
  };
  const written = Date.parse('2026-03-29T00:00:00Z');
  const hour = 3_600_000;
  // The run's first changes are compacted (into segments and a latest-answers snapshot); the rest, re-answers
  // of later attempts among them, arrive after and are delivered twice.
  const first = firstOf(run.changes);
  expect(first).toBeGreaterThanOrEqual(0);
  try {
    await record(run.changes.slice(0, first), written);
    await compact(written + hour);
    await record(run.changes.slice(first), written + 2 * hour);
    await record(run.changes.slice(first), written + 2 * hour + 1_000);
    await expectReference('with the later changes not compacted');
    await compact(written + 3 * hour);
    await compact(written + 4 * hour);
    await expectReference('all compacted');
  } finally {
    queries.close();
  }
}

describe('named analyses against the per-contact export', () => {
  it('equal a reference computed from the export rows, for random runs, before and after compaction', async () => {
    await fc.assert(
      fc.asyncProperty(runSpecArbitrary, fc.double({ min: 0, max: 1, noNaN: true }), (specs, cut) =>
        expectReferenceAcrossCompaction(specs, (changes) => Math.floor(cut * changes.length)),
      ),
      { numRuns: 15 },
    );
  }, 300_000);

  it('count a contact re-answered after compaction by its latest answer', async () => {
    const attempt = {
      gapMinutes: 30,
      ringSeconds: 5,
      talkSeconds: 40,
      q2: '1' as const,
      answeredBeforeEnd: 1 as const,
    };
    const reAnswered = {
      clinic: 'Wola',
      timeZone: 'Europe/Warsaw',
      ending: 'FINAL' as const,
      followUp: 'SENT' as const,
      attempts: [
        { ...attempt, outcome: 'PARTIAL' as const, q1: '1' as const },
        { ...attempt, outcome: 'COMPLETED' as const, q1: '2' as const },
      ],
    };
    // Compacted up to the second call's first answer: the snapshot holds q1 = 1, the batch file q1 = 2.
    await expectReferenceAcrossCompaction([reAnswered, { ...reAnswered, clinic: 'Praga' }], (changes) =>
      changes.findIndex((change) => /^ANSWER#.*#2#q1$/.test(change.sk)),
    );
  }, 300_000);
});
